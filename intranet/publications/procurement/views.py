"""The procurement nomenclature (purchasing families, CPV) and procurement notices."""
from flask import Blueprint

bp = Blueprint("procurement", __name__, url_prefix="/marches")
