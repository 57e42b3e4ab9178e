"""The payments domain (pure): the money states of a payment (``states``)."""
