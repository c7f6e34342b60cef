"""Infrastructure: settings, stores, Kafka, local services and the composition root."""
