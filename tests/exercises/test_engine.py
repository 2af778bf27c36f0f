"""Sessions: shuffled but reproducible, scored against the graph, saved as they go."""

from __future__ import annotations

import pytest

from csat import sim
from csat.exercises import bridge, quiz, rubric
from csat.exercises.engine import Session, counted_score, score_path
from csat.exercises.scenario import load

HOTPOT = load("hotpot-queue")


def play(session: Session, path) -> Session:
    for _, choice in path:
        session.choose(choice)
    return session


def worst_path(s):
    return min(s.paths(), key=lambda pe: score_path(s, pe[0]).total)[0]


def test_best_path_scores_100_and_worst_0():
    best = play(Session(HOTPOT, seed=3), HOTPOT.best_path())
    assert best.finished and best.score().total == 100.0 and best.score().passed
    assert best.ending == HOTPOT.best_ending()
    worst = play(Session(HOTPOT, seed=3), worst_path(HOTPOT))
    assert worst.score().total == 0.0 and not worst.score().passed


def test_score_is_normalised_per_dimension_by_the_graph():
    s = Session(HOTPOT, seed=1)
    play(s, HOTPOT.best_path())
    score = s.score()
    for key, value in score.dimensions.items():
        worst, best = HOTPOT.dimension_range(key)
        if best == worst:
            assert value is None
        else:
            assert value == pytest.approx(100 * (score.raw[key] - worst) / (best - worst), abs=0.05)
    assert score.path == HOTPOT.best_path() == score.best_path


def test_choices_are_shuffled_reproducibly():
    first = [c.id for c in Session(HOTPOT, seed=11).choices]
    again = [c.id for c in Session(HOTPOT, seed=11).choices]
    assert first == again
    orders = {tuple(c.id for c in Session(HOTPOT, seed=k).choices) for k in range(30)}
    assert len(orders) > 5
    # Over seeds the best reply appears in every position.
    best = HOTPOT.best_path()[0][1]
    spots = {[c.id for c in Session(HOTPOT, seed=k).choices].index(best) for k in range(40)}
    assert spots == set(range(len(HOTPOT.nodes[HOTPOT.start].choices)))


def test_mood_moves_and_stays_in_range():
    s = Session(HOTPOT, seed=2)
    for _, choice in worst_path(HOTPOT):
        step = s.choose(choice)
        assert 0 <= step.mood_after <= 100
        assert step.mood_after == max(0, min(100, step.mood_before + step.choice.mood))
    assert s.mood == s.steps[-1].mood_after


def test_choose_after_the_end_and_unknown_choice_are_clear_errors():
    s = play(Session(HOTPOT, seed=1), HOTPOT.best_path())
    with pytest.raises(RuntimeError, match="the conversation has ended"):
        s.choose("anything")
    fresh = Session(HOTPOT, seed=1)
    with pytest.raises(KeyError, match="node 'at-the-stand' has no choice 'shout'"):
        fresh.choose("shout")
    assert fresh.steps == []
    with pytest.raises(ValueError, match="Session: lang: expected one of en, zh, got 'fr'"):
        Session(HOTPOT, lang="fr")


def test_replay_starts_over_with_a_new_order():
    s = play(Session(HOTPOT, seed=5), HOTPOT.best_path())
    again = s.replay()
    assert again.node == HOTPOT.start and not again.finished and again.seed == 6


def test_counted_score_policies():
    assert counted_score([None, 30, 90, 60], "best") == 90
    assert counted_score([None, 30, 90, 60], "first") == 30
    assert counted_score([None, 30, 90, 60], "last") == 60
    assert counted_score([], "best") is None
    with pytest.raises(ValueError, match="attempt policy must be one of best, first, last"):
        counted_score([1], "average")


def test_framework_views_cover_every_dimension():
    used = {k for steps in rubric.FRAMEWORKS.values() for keys in steps.values() for k in keys}
    assert used == set(rubric.DIMENSIONS)
    for name, steps in rubric.FRAMEWORKS.items():
        view = rubric.translate(dict.fromkeys(rubric.DIMENSIONS, 50.0), name)
        assert list(view) == list(steps) and set(view.values()) == {50.0}
    with pytest.raises(ValueError, match="framework must be one of"):
        rubric.translate({}, "SMILE")


def test_quiz_scores_exact_answers_only():
    q = quiz.load("servqual-quiz")
    s = quiz.QuizSession(q)
    multiple = next(x for x in q.questions if x.kind == "multiple")
    partial = multiple.correct_ids()[:1]
    assert s.answer(multiple.id, partial).correct is (partial == multiple.correct_ids())
    with pytest.raises(RuntimeError, match="already answered"):
        s.answer(multiple.id, partial)
    single = next(x for x in q.questions if x.kind == "single")
    with pytest.raises(ValueError, match="takes one option"):
        s.answer(single.id, [o.id for o in single.options[:2]])
    for question in q.questions:
        if question.id not in s.answers:
            s.answer(question.id, question.correct_ids())
    right = len(q.questions) - (partial != multiple.correct_ids())
    assert s.finished and s.score() == round(100 * right / len(q.questions), 1)


def test_endings_become_simulator_parameters():
    ends = HOTPOT.endings
    leavers = [e for e in ends.values() if e.outcome == "leaves"]
    stayers = [e for e in ends.values() if e.outcome == "stays"]
    mix = bridge.outcome_mix(leavers + stayers)
    assert mix["leaves"] == len(leavers) / (len(leavers) + len(stayers))
    base = sim.presets.get("hotpot", population=20_000, days=180)
    good = bridge.handling_params(base, stayers)
    bad = bridge.handling_params(base, leavers)
    assert good.recovery.resolution_rate == 1.0 and bad.recovery.resolution_rate == 0.0
    assert bad.recovery.repurchase_unresolved == 0.0
    good_run = sim.run(good, rng=4).summary()
    bad_run = sim.run(bad, rng=4).summary()
    assert good_run["customers_end"] > bad_run["customers_end"]
    with pytest.raises(ValueError, match="at least one ending"):
        bridge.outcome_mix([])


def test_every_decision_is_saved_as_made_and_a_restart_resumes(tmp_path):
    from csat.exercises.store import Store

    url = f"sqlite:///{tmp_path / 'r.sqlite'}"
    path = HOTPOT.best_path()
    with Store(url) as store:
        tid = store.trainee("王芳")
        s = Session(HOTPOT, seed=9, store=store, trainee_id=tid, lang="zh")
        for _, choice in path[:2]:
            s.choose(choice)
        saved = store.decisions(s.attempt_id)
        assert [(d.node, d.choice) for d in saved] == path[:2]
        assert saved[1].mood == s.mood and saved[0].points == dict(s.steps[0].choice.points)
    # A new kernel: open the store again and pick up the unfinished attempt.
    with Store(url) as store:
        again = Session.resume(HOTPOT, store, tid)
        assert again is not None and again.attempt_id == s.attempt_id
        assert (again.node, again.mood, again.seed, again.lang) == (s.node, s.mood, 9, "zh")
        assert [c.id for c in again.choices] == [c.id for c in s.choices]
        for _, choice in path[2:]:
            again.choose(choice)
        attempt = store.attempt(again.attempt_id)
        assert attempt.finished_at is not None and attempt.total == 100.0 and attempt.passed
        assert attempt.ending == HOTPOT.best_ending()
        assert Session.resume(HOTPOT, store, tid) is None


def test_quiz_answers_go_to_the_same_store(tmp_path):
    from csat.exercises.store import Store

    q = quiz.load("servqual-quiz")
    with Store(f"sqlite:///{tmp_path / 'r.sqlite'}") as store:
        tid = store.trainee("Li Lei")
        s = quiz.QuizSession(q, store=store, trainee_id=tid)
        for question in q.questions:
            s.answer(question.id, question.correct_ids())
        row = store.attempts(exercise_id=q.id).iloc[0]
        assert row["kind"] == "quiz" and row["total"] == 100.0
        assert len(store.decisions(s.attempt_id)) == len(q.questions)


def test_a_broken_quiz_names_the_line_and_the_likely_field(tmp_path):
    path = tmp_path / "typo-quiz.yaml"
    path.write_text(
        "id: typo-quiz\n"
        "version: 1\n"
        'title: {en: "T", zh: "题"}\n'
        "questions:\n"
        "  - id: q1\n"
        "    kind: single\n"
        '    promt: {en: "P", zh: "问"}\n'
        "    options:\n"
        '      - {id: a, text: {en: "A", zh: "甲"}, correct: true}\n'
        '      - {id: b, text: {en: "B", zh: "乙"}}\n'
        '    explanation: {en: "E", zh: "解"}\n',
        encoding="utf-8",
    )
    problems = quiz.check(path)[1]
    assert (
        "typo-quiz.yaml: questions[0].promt: expected no such field (check its spelling), "
        "got 'promt' (did you mean 'prompt'?) (line 7)"
    ) in problems, problems


def test_a_reply_for_a_step_already_left_is_refused():
    from csat.exercises.engine import StaleChoice

    sc = load("hotpot-queue")
    s = Session(sc, seed=1)
    (node, first), (second_node, _) = sc.best_path()[:2]
    s.choose(first, at=node)
    with pytest.raises(StaleChoice, match=rf"answers node '{node}', but the conversation is at"):
        s.choose(first, at=node)
    assert s.path == [(node, first)] and s.node == second_node


def _fail_the_finish(store):
    """Make every write of an attempt's finish fail, as a full disk or a lost server would."""
    import sqlalchemy as sa

    def fail(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith("UPDATE ATTEMPTS"):
            raise RuntimeError("disk I/O error")

    sa.event.listen(store._engine, "before_cursor_execute", fail)
    return lambda: sa.event.remove(store._engine, "before_cursor_execute", fail)


def test_a_failed_finish_takes_the_last_reply_back_and_loses_no_score(tmp_path):
    from csat.exercises import report
    from csat.exercises.store import Store

    path = HOTPOT.best_path()
    with Store(f"sqlite:///{tmp_path / 'r.sqlite'}") as store:
        tid = store.trainee("Ana")
        s = play(Session(HOTPOT, seed=3, store=store, trainee_id=tid), path[:-1])
        restore = _fail_the_finish(store)
        with pytest.raises(Exception, match="disk I/O error"):
            s.choose(path[-1][1])
        restore()
        # Neither the decision nor the finish was saved: the page still offers the last reply.
        assert (s.finished, s.node) == (False, path[-1][0])
        reloaded = Session.resume(HOTPOT, store, tid, finished=True)
        assert not reloaded.finished and store.attempt(s.attempt_id).finished_at is None
        s.choose(path[-1][1])
        attempt = store.attempt(s.attempt_id)
        assert attempt.finished_at is not None and attempt.total == 100.0 and attempt.passed
        assert report.gradebook(store).loc["Ana", "attempts"] == 1


def test_resume_finishes_an_attempt_whose_last_decision_reached_an_ending(tmp_path):
    """A store written before the last decision and the finish were one transaction can hold
    an ending without a finish: reopening the page finishes it, and the gradebook counts it."""
    from csat.exercises import report
    from csat.exercises.store import Store

    path = HOTPOT.best_path()
    with Store(f"sqlite:///{tmp_path / 'r.sqlite'}") as store:
        tid = store.trainee("Ana")
        s = Session(HOTPOT, seed=3, store=store, trainee_id=tid)
        for seq, (node, choice) in enumerate(path):
            c = HOTPOT.choice(node, choice)
            store.record_decision(
                s.attempt_id, seq=seq, node=node, choice=choice, points=dict(c.points),
                mood=50, elapsed_s=1.0,
            )  # fmt: skip
        assert report.gradebook(store).loc["Ana", "attempts"] == 0
        shown = Session.resume(HOTPOT, store, tid, finished=True)
        assert shown.finished and shown.score().total == 100.0
        attempt = store.attempt(s.attempt_id)
        assert attempt.finished_at is not None and attempt.total == 100.0
        assert attempt.ending == shown.ending and attempt.passed
        assert report.gradebook(store).loc["Ana", "attempts"] == 1
        assert Session.resume(HOTPOT, store, tid) is None  # nothing left open


def test_a_quiz_finish_is_saved_with_its_last_answer_or_on_resume(tmp_path):
    from csat.exercises import report
    from csat.exercises.store import Store

    warm = quiz.load("warm-up-quiz")
    right = [(q.id, q.correct_ids()) for q in warm.questions]
    with Store(f"sqlite:///{tmp_path / 'r.sqlite'}") as store:
        tid = store.trainee("Ana")
        s = quiz.QuizSession(warm, store=store, trainee_id=tid)
        for qid, ids in right[:-1]:
            s.answer(qid, ids)
        restore = _fail_the_finish(store)
        with pytest.raises(Exception, match="disk I/O error"):
            s.answer(*right[-1])
        restore()
        assert not s.finished and store.attempt(s.attempt_id).finished_at is None
        s.answer(*right[-1])
        assert store.attempt(s.attempt_id).total == 100.0
        # An older store holding every answer but no finish: reopening the quiz finishes it.
        t = quiz.QuizSession(warm, store=store, trainee_id=tid)
        for seq, (qid, ids) in enumerate(right):
            store.record_decision(
                t.attempt_id, seq=seq, node=qid, choice=",".join(sorted(ids)),
                points={"correct": 1}, mood=None, elapsed_s=1.0,
            )  # fmt: skip
        again = quiz.QuizSession.resume(warm, store, tid)
        assert again is not None and again.finished
        assert store.attempt(t.attempt_id).total == 100.0
        assert report.gradebook(store).loc["Ana", "attempts"] == 2
