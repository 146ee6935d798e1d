"""Personal data (RGPD): a person's archive of what the application holds about them, the
erasure of their account once the platform admin confirms it, the retention periods the worker
applies, and the public summary of the register of processing (« Données personnelles »)."""
