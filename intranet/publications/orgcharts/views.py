"""Organisation charts: units, positions and people."""
from flask import Blueprint

bp = Blueprint("orgcharts", __name__, url_prefix="/organisations")
