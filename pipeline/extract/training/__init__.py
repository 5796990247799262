"""Recipe that trains the shipped German NER model (see train.py)."""
