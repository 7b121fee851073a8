import base64
import codecs
import marshal
import zlib

# ruleid: exec-of-decoded-string
exec(base64.b64decode("cHJpbnQoJ3N0YWdlMicp"))
# ruleid: exec-of-decoded-string
exec(zlib.decompress(base64.b64decode("eJwrKMrMK9FQL0pNzizJzM9T1AQAPq8GNw==")))
# ruleid: exec-of-decoded-string
exec(marshal.loads(b"\xe3\x00"))
# ruleid: exec-of-decoded-string
exec(codecs.decode("cevag('fgntr2')", "rot13"))
# ruleid: exec-of-decoded-string
exec("".join(map(chr, [112, 114, 105, 110, 116])))

# ok: exec-of-decoded-string
config = base64.b64decode("a2V5PXZhbHVl").decode()
# ok: exec-of-decoded-string
exec("x = 1")
