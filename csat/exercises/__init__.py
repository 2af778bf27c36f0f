"""Role-play exercises and quizzes: scenarios, scoring, the results store, report tables."""
