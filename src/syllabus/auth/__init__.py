"""Authentication primitives: secrets, their hashes, and resolving a secret to its program."""
