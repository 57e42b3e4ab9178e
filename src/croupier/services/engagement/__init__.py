"""Personalisation (issue 18, docs/engagement.md): what players play, and what it tells us.

* :mod:`~croupier.services.engagement.tally`: counts from the handler table into the store;
* :mod:`~croupier.services.engagement.ports`: the store's port and its in-process twin;
* :mod:`~croupier.services.engagement.model`: the recommendation model (scikit-learn, lazy);
* :mod:`~croupier.services.engagement.recommendations`: what a player is recommended;
* :mod:`~croupier.services.engagement.segments`: segments and promotion eligibility;
* :mod:`~croupier.services.engagement.simulation`: the measurement (hit-rate@5);
* :mod:`~croupier.services.engagement.settings`: the ``CROUPIER_*`` variables.

Nothing is imported here: ``croupier.config`` reads the settings module, and the rest would
drag the services into every import of the configuration.
"""
