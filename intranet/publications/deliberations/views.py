"""Deliberations and other acts, their publication and the SCDL export."""
from flask import Blueprint

bp = Blueprint("deliberations", __name__, url_prefix="/deliberations")
