// tailwind.config.js shape (Lumanagi): payload appended after the export, base64-decoded and evaluated.
module.exports = { content: ["./src/**/*.{js,jsx}"] };
// ruleid: eval-of-decoded-string
eval(Buffer.from("Y29uc29sZS5sb2coJ3N0YWdlMicp", "base64").toString());
// ruleid: eval-of-decoded-string
new Function(atob("Y29uc29sZS5sb2coJ3N0YWdlMicp"))();
// ruleid: eval-of-decoded-string
eval(String.fromCharCode(99, 111, 110, 115, 111, 108, 101));

function decodeToken(t) {
  // ok: eval-of-decoded-string
  return JSON.parse(atob(t.split(".")[1]));
}
// ok: eval-of-decoded-string
eval("1 + 1");
