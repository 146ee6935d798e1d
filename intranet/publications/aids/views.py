"""The directory of departmental aids (répertoire des aides) and its open-data export."""
from flask import Blueprint

bp = Blueprint("aids", __name__, url_prefix="/aides")
