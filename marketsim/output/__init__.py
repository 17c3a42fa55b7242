"""What a person reads: figures of a run, reports of a sweep and of an assessment."""
