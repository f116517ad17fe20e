"""The hub's ASGI app. `python app.py` serves it on embedded defaults with the demo departments."""

from hub.serve import serve
from hub.settings import Settings
from hub.workers import default_workers

if __name__ == "__main__":
    serve(Settings.from_env(), default_workers())
