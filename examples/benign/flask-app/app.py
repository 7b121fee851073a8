from flask import Flask, jsonify, render_template

app = Flask(__name__)


@app.get("/")
def index() -> str:
    return render_template("index.html", title="Home")


@app.get("/api/health")
def health() -> object:
    return jsonify(status="ok")


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=5000)
