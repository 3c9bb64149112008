"""wiretape's harness: record, replay, verify and diff the providers' HTTP exchanges."""
