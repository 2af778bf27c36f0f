"""Role-play exercises and quizzes: scenarios, scoring, results store, widgets, reports."""
