"""The browser faces of Croupier: the player client (served at ``/`` by ``croupier serve``)
and the back office (at ``/admin`` on the admin listener). Static ES modules, no build step;
the libraries they use are vendored under ``vendor/`` (see its README)."""
