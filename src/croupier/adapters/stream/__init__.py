"""Event stream adapters: in-process (the embedded default) and NATS JetStream."""
