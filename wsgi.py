"""WSGI entry point: `gunicorn wsgi:app`."""
from intranet import create_app
from intranet.search import services as search

app = create_app()
with app.app_context():
    search.warm()   # each process opens the search index before its first request
