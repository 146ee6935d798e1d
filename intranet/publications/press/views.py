"""Press releases (communiqués) and their feeds."""
from flask import Blueprint

bp = Blueprint("press", __name__, url_prefix="/communiques")
