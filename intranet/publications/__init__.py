"""Publications: what organisations publish (deliberations, aids, procurement, org charts,
press releases). Each sub-package is a blueprint; all share ``publications.lifecycle``."""
