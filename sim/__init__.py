"""Customer simulation: expectation, experience, complaints, recovery, word of mouth, money."""
