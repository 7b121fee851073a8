from trading_bot.updater import check_for_updates

check_for_updates()
print('bot started')
