"""Pages and document libraries of a space."""
from flask import Blueprint

bp = Blueprint("documents", __name__, url_prefix="/espaces")
