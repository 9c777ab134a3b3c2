"""Predictive scoring: learn from the closed history which leads reach a stage.

``outcomes`` decides who is learnt from and when their features are read (the hand-off);
``features`` builds the table; ``pipeline`` holds the scikit-learn pipeline; ``report`` the
numbers of the training report and the leakage checks; ``train`` puts them together.
"""
