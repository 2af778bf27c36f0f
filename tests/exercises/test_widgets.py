"""The trainee's widgets, driven as nbval and a browser cannot: by clicking in Python."""

from __future__ import annotations

import html

import pytest

from csat.exercises import rubric
from csat.exercises.engine import score_path
from csat.exercises.quiz import load as load_quiz
from csat.exercises.scenario import load
from csat.exercises.store import Store
from csat.ui.widgets import CSS, Hub, ObserverSheet, QuizWidget, RolePlay, model_answer

SCENARIO = "hotpot-queue"
NASTY = 'Zhang, "Wei" <script>alert(1)</script>'


@pytest.fixture
def store(tmp_path):
    with Store(f"sqlite:///{tmp_path / 'r.sqlite'}") as s:
        yield s


def play(rp: RolePlay, choices) -> None:
    for choice in choices:
        rp.button_for(choice).click()


def best_choices(scenario_id: str = SCENARIO) -> list[str]:
    return [c for _, c in load(scenario_id).best_path()]


def worst_first_path(scenario_id: str = SCENARIO) -> list[tuple[str, str]]:
    """Always the last-listed reply: a fixed path that is not the best one."""
    sc = load(scenario_id)
    path, node = [], sc.start
    while not sc.is_ending(node):
        c = sc.nodes[node].choices[-1]
        path.append((node, c.id))
        node = c.next
    return path


# -- role-play ------------------------------------------------------------------------------


def test_best_path_ends_with_a_full_scorecard():
    rp = RolePlay(SCENARIO, seed=3)
    sc = rp.scenario
    play(rp, best_choices())
    assert rp.session.finished and rp.buttons == []
    card = rp.scorecard.value
    assert "100/100" in card and "Passed" in card
    assert html.escape(sc.endings[sc.best_ending()].title("en")) in card
    assert html.escape(sc.endings[sc.best_ending()].debrief("en")) in card
    for key in rubric.DIMENSIONS:  # one bar (or "not assessed") per dimension
        assert html.escape(rubric.name(key)) in card
    assert card.count("✓ the model answer") == len(sc.best_path())
    assert rp.replay_button.layout.display == ""


def test_a_wrong_turn_is_shown_against_the_model_answer():
    rp = RolePlay(SCENARIO, seed=1)
    sc = rp.scenario
    path = worst_first_path()
    play(rp, [c for _, c in path])
    expected = score_path(sc, path)
    card = rp.scorecard.value
    assert f"{expected.total:.0f}/100" in card
    assert ("Not passed yet" in card) == (not expected.passed)
    first_node, first_choice = path[0]
    model = model_answer(sc, first_node)
    assert model.id != first_choice
    assert html.escape(model.text("en")) in card
    assert html.escape(sc.endings[sc.best_ending()].title("en")) in card  # "best path ends with"


def test_feedback_and_mood_follow_each_choice():
    rp = RolePlay(SCENARIO, seed=1)
    sc = rp.scenario
    assert rp.feedback.value == ""
    assert f"{sc.mood}/100" in rp.mood.value
    first = best_choices()[0]
    rp.button_for(first).click()
    choice = sc.choice(sc.start, first)
    assert html.escape(choice.feedback("en")) in rp.feedback.value
    after = min(100, max(0, sc.mood + choice.mood))
    assert f"{after}/100" in rp.mood.value
    assert f"Mood {sc.mood} → {after}" in rp.feedback.value


def test_buttons_wrap_long_replies_and_carry_stable_classes():
    rp = RolePlay(SCENARIO, seed=1, lang="zh")
    assert len(rp.buttons) == len(rp.scenario.nodes[rp.scenario.start].choices)
    for button, choice in zip(rp.buttons, rp.session.choices, strict=True):
        assert button.description == choice.text("zh")
        assert button.layout.width == "100%" and button.layout.height == "auto"
        assert "csat-choice" in button._dom_classes
        assert f"csat-choice-{choice.id}" in button._dom_classes
    assert "white-space: normal !important" in CSS and ".csat-choice" in CSS
    assert "csat-roleplay" in rp.widget._dom_classes
    assert "csat-replay" in rp.replay_button._dom_classes
    assert "csat-lang" in rp.lang._dom_classes


def test_the_seed_sets_the_order_of_the_replies():
    a = [b.description for b in RolePlay(SCENARIO, seed=5).buttons]
    b = [b.description for b in RolePlay(SCENARIO, seed=5).buttons]
    assert a == b
    orders = {tuple(b.description for b in RolePlay(SCENARIO, seed=s).buttons) for s in range(8)}
    assert len(orders) > 1


def test_language_switch_rerenders_in_place():
    rp = RolePlay(SCENARIO, seed=1)
    sc = rp.scenario
    first = best_choices()[0]
    rp.button_for(first).click()
    node = rp.session.node
    chat = rp.chat
    rp.lang.value = "zh"
    assert rp.chat is chat  # the same widget, a new value
    assert html.escape(sc.nodes[node].customer("zh")) in rp.chat.value
    assert html.escape(sc.nodes[node].customer("en")) not in rp.chat.value
    assert html.escape(sc.choice(sc.start, first).text("zh")) in rp.chat.value
    assert html.escape(sc.choice(sc.start, first).feedback("zh")) in rp.feedback.value
    assert [b.description for b in rp.buttons] == [c.text("zh") for c in rp.session.choices]
    assert rp.replay_button.description == "再练一次"
    rp.lang.value = "en"
    assert html.escape(sc.nodes[node].customer("en")) in rp.chat.value


def test_scorecard_switches_language_too():
    rp = RolePlay(SCENARIO, seed=1)
    play(rp, best_choices())
    rp.lang.value = "zh"
    assert "你的得分：" in rp.scorecard.value and "通过" in rp.scorecard.value
    sc = rp.scenario
    assert html.escape(sc.endings[sc.best_ending()].title("zh")) in rp.scorecard.value


def test_clicks_print_nothing(capsys):
    rp = RolePlay(SCENARIO, seed=1)
    play(rp, best_choices())
    rp.lang.value = "zh"
    rp.replay_button.click()
    out = capsys.readouterr()
    assert out.out == "" and out.err == ""


def test_saves_the_attempt_and_every_decision(store):
    rp = RolePlay(SCENARIO, store=store, trainee="王芳", seed=2)
    path = worst_first_path()
    play(rp, [c for _, c in path])
    tid = store.trainee("王芳")
    frame = store.attempts(trainee_id=tid)
    assert len(frame) == 1
    row = frame.iloc[0]
    expected = score_path(rp.scenario, path)
    assert row["exercise_id"] == SCENARIO and row["total"] == pytest.approx(expected.total)
    assert bool(row["passed"]) == expected.passed
    assert row["ending"] == expected.ending
    made = store.decisions(int(row["attempt_id"]))
    assert [(d.node, d.choice) for d in made] == path
    assert [d.seq for d in made] == list(range(len(path)))


def test_name_entry_validates_then_starts_and_escapes(store):
    rp = RolePlay(SCENARIO, store=store)
    assert rp.session is None and rp.entry in rp.main.children
    rp.start_button.click()
    assert "Please type your name first." in rp.message.value
    assert rp.session is None
    rp.name.value = "  " + NASTY + "  "
    rp.start_button.click()
    assert rp.message.value == ""
    assert rp.session is not None and rp.body in rp.main.children
    assert NASTY in store.trainees()["display_name"].tolist()
    assert "<script>" not in rp.greeting.value
    assert html.escape(NASTY) in rp.greeting.value
    rp.button_for(best_choices()[0]).click()
    assert "<script>" not in rp.chat.value and html.escape(NASTY) in rp.chat.value


def test_a_name_the_store_refuses_is_a_message_not_an_exception(store):
    rp = RolePlay(SCENARIO, store=store)
    rp.name.value = "x" * 81
    rp.start_button.click()
    assert "shorter name" in rp.message.value and rp.session is None


def test_resume_continues_at_the_same_node(store):
    first = RolePlay(SCENARIO, store=store, trainee="Li Na", seed=4)
    choices = best_choices()
    play(first, choices[:2])
    node, mood = first.session.node, first.session.mood
    again = RolePlay(SCENARIO, store=store, trainee="Li Na", seed=99)
    assert again.session.attempt_id == first.session.attempt_id
    assert again.session.node == node and again.session.mood == mood
    assert again.session.path == first.session.path
    assert "Welcome back" in again.greeting.value
    sc = again.scenario
    assert html.escape(sc.choice(sc.start, choices[0]).text("en")) in again.chat.value
    play(again, choices[2:])
    attempts = store.attempts(trainee_id=store.trainee("Li Na"))
    assert len(attempts) == 1 and attempts.iloc[0]["total"] == 100.0
    assert len(store.decisions(again.session.attempt_id)) == len(choices)


def test_reopening_a_finished_role_play_shows_how_it_ended(store):
    # A trainee finishes, looks at another exercise in the hub, then comes back: their result
    # is still there, and Play again starts a new attempt.
    first = RolePlay(SCENARIO, store=store, trainee="Li Na", seed=4)
    path = [c for _, c in worst_first_path()]
    play(first, path)
    total = first.session.score().total
    again = RolePlay(SCENARIO, store=store, trainee="Li Na", seed=99, lang="zh")
    assert again.session.finished and again.session.attempt_id == first.session.attempt_id
    assert again.session.path == first.session.path
    assert again.session.score().total == total and again.scorecard.value
    assert "上次练习的结果" in again.greeting.value and again.buttons == []
    again.lang.value = "en"
    assert "how your last attempt ended" in again.greeting.value
    again.replay_button.click()
    assert not again.session.finished and again.session.attempt_id != first.session.attempt_id
    assert again.buttons and "Hello, Li Na." in again.greeting.value
    attempts = store.attempts(trainee_id=store.trainee("Li Na"))
    assert len(attempts) == 2 and attempts["finished_at"].notna().sum() == 1


def test_replay_starts_a_new_attempt(store):
    rp = RolePlay(SCENARIO, store=store, trainee="Sam", seed=1)
    play(rp, [c for _, c in worst_first_path()])
    first_attempt = rp.session.attempt_id
    rp.replay_button.click()
    assert rp.session.attempt_id != first_attempt
    assert rp.session.node == rp.scenario.start and rp.scorecard.value == ""
    assert rp.replay_button.layout.display == "none"
    play(rp, best_choices())
    frame = store.attempts(trainee_id=store.trainee("Sam"))
    assert frame["attempt_no"].tolist() == [1, 2]
    assert frame["total"].iloc[-1] == 100.0


def test_a_store_that_fails_shows_a_message_and_keeps_the_state(store, caplog):
    rp = RolePlay(SCENARIO, store=store, trainee="Ana", seed=1)

    def broken(*args, **kwargs):
        raise OSError("disk full at postgresql://csat@db.example:5432/room")

    rp.session.store.record_decision = broken
    rp.button_for(best_choices()[0]).click()
    assert "Could not save this answer" in rp.message.value
    # The trainee's page names no database, host or user; the trainer's terminal has it all.
    assert "postgresql" not in rp.message.value and "db.example" not in rp.message.value
    assert "disk full at postgresql://csat@db.example" in caplog.text
    assert rp.session.steps == [] and rp.session.node == rp.scenario.start


def test_model_answer_follows_the_best_path():
    for sid in ("hotpot-queue", "hotel-check-in"):
        sc = load(sid)
        for node, choice in sc.best_path():
            assert model_answer(sc, node).id == choice


# -- observer sheet -------------------------------------------------------------------------


def test_observer_sheet_validates_then_saves(store):
    sheet = ObserverSheet(store, scenario=SCENARIO)
    assert sheet.scenario.value == SCENARIO
    assert set(sheet.ratings) == set(rubric.DIMENSIONS)
    for key, dim in rubric.DIMENSIONS.items():
        assert html.escape(dim.looks_for_en) in sheet.hints[key].value
    sheet.save_button.click()
    for text in ("trainee", "observer", "at least one"):
        assert text in sheet.message.value
    assert store.observer_scores().empty
    sheet.trainee.value = "王芳"
    sheet.observer.value = 'Li "Coach" <i>'
    sheet.ratings["listen"].value = 4
    sheet.ratings["empathise"].value = 5
    sheet.comment.value = "Restated the problem, then apologised."
    sheet.save_button.click()
    assert "Saved" in sheet.message.value and "<i>" not in sheet.message.value
    rows = store.observer_scores()
    assert len(rows) == 1
    row = rows.iloc[0]
    assert row["display_name"] == "王芳" and row["observer"] == 'Li "Coach" <i>'
    assert row["exercise_id"] == SCENARIO
    assert row["rating_listen"] == 4 and row["rating_empathise"] == 5
    assert row["comment"] == "Restated the problem, then apologised."
    # ready for the next pair: ratings and comment cleared, names kept
    assert all(t.value is None for t in sheet.ratings.values()) and sheet.comment.value == ""
    assert sheet.observer.value == 'Li "Coach" <i>'
    assert "王芳" in sheet.trainee.options


def test_observer_sheet_in_chinese(store):
    sheet = ObserverSheet(store, lang="zh")
    dim = rubric.DIMENSIONS["follow_up"]
    assert html.escape(dim.looks_for_zh) in sheet.hints["follow_up"].value
    assert sheet.save_button.description == "保存评分"
    sheet.scenario.value = ObserverSheet.FREE
    sheet.trainee.value, sheet.observer.value = "赵磊", "刘老师"
    sheet.ratings["solve"].value = 3
    sheet.save_button.click()
    assert "已保存" in sheet.message.value
    assert store.observer_scores().iloc[0]["exercise_id"] == ObserverSheet.FREE


# -- quiz -----------------------------------------------------------------------------------


def answer_all(qw: QuizWidget, right: bool = True) -> None:
    while qw.current is not None:
        q = qw.current
        ids = q.correct_ids() if right else [o.id for o in q.options if not o.correct][:1]
        qw.select(ids)
        qw.submit_button.click()
        assert qw.explanation.value  # shown after each answer
        qw.next_button.click()


def test_quiz_one_question_at_a_time_and_stored(store):
    quiz = load_quiz("servqual-quiz")
    qw = QuizWidget(quiz, store=store, trainee="王芳")
    first = quiz.questions[0]
    assert html.escape(first.prompt("en")) in qw.question.value
    assert "Question 1 of" in qw.progress.value
    qw.submit_button.click()
    assert "Pick an answer first." in qw.message.value
    qw.select(first.correct_ids())
    qw.submit_button.click()
    assert "Correct" in qw.explanation.value
    assert html.escape(first.explanation("en")) in qw.explanation.value
    assert qw.submit_button.layout.display == "none" and qw.radio.disabled
    qw.next_button.click()
    answer_all(qw)
    assert "100%" in qw.score.value and "Passed" in qw.score.value
    frame = store.attempts(trainee_id=store.trainee("王芳"))
    assert len(frame) == 1 and frame.iloc[0]["kind"] == "quiz"
    assert frame.iloc[0]["total"] == 100.0
    made = store.decisions(int(frame.iloc[0]["attempt_id"]))
    assert [d.node for d in made] == [q.id for q in quiz.questions]


def test_quiz_multiple_answers_use_tick_boxes_and_wrong_answers_are_explained():
    quiz = load_quiz("servqual-quiz")
    qw = QuizWidget(quiz)
    while qw.current.kind != "multiple":
        qw.select(qw.current.correct_ids())
        qw.submit_button.click()
        qw.next_button.click()
    q = qw.current
    assert len(qw.checks) == len(q.options) and qw.options_box.children == tuple(qw.checks)
    qw.submit_button.click()
    assert "Tick at least one" in qw.message.value
    wrong = [o.id for o in q.options if not o.correct][:1]
    qw.select(wrong)
    qw.submit_button.click()
    assert "Not quite" in qw.explanation.value
    assert not qw.session.answers[q.id].correct


def test_quiz_language_switch_keeps_the_selection():
    quiz = load_quiz("servqual-quiz")
    qw = QuizWidget(quiz)
    first = quiz.questions[0]
    qw.select(first.correct_ids())
    qw.lang.value = "zh"
    assert qw.radio.value == first.correct_ids()[0]
    assert html.escape(first.prompt("zh")) in qw.question.value
    assert [label for label, _ in qw.radio.options] == [
        o.text("zh") for o in qw.session.options(first)
    ]


def test_quiz_retake_is_a_new_attempt(store):
    qw = QuizWidget("servqual-quiz", store=store, trainee="Tom")
    answer_all(qw, right=False)
    assert "Not passed yet" in qw.score.value
    qw.retake_button.click()
    assert qw.index == 0 and qw.score.value == ""
    answer_all(qw)
    totals = store.attempts(trainee_id=store.trainee("Tom"))["total"].tolist()
    assert totals == [0.0, 100.0]


# -- hub ------------------------------------------------------------------------------------


def test_hub_opens_the_chosen_exercise(store):
    hub = Hub(store)
    values = [v for _, v in hub.picker.options]
    assert f"scenario:{SCENARIO}" in values and "quiz:servqual-quiz" in values
    hub.picker.value = f"scenario:{SCENARIO}"
    hub.open_button.click()
    assert hub.current is None and "type your name" in hub.message.value
    hub.name.value = "Kenji"
    hub.lang.value = "zh"
    hub.open_button.click()
    assert isinstance(hub.current, RolePlay) and hub.current.trainee_name == "Kenji"
    assert hub.current.language == "zh"
    assert hub.body.children == (hub.current.widget,)
    hub.picker.value = "observer:"
    hub.open_button.click()
    assert isinstance(hub.current, ObserverSheet)


def test_one_broken_scenario_file_does_not_take_the_hub_down(tmp_path, monkeypatch):
    import shutil

    from csat.exercises import scenario as scenario_mod
    from csat.ui.widgets import Hub

    folder = tmp_path / "scenarios"
    shutil.copytree(scenario_mod.SCENARIO_DIR, folder)
    (folder / "broken.yaml").write_text("id: broken\nnodes: [unclosed\n", encoding="utf-8")
    monkeypatch.setattr(scenario_mod, "SCENARIO_DIR", folder)
    hub = Hub(Store(f"sqlite:///{tmp_path / 'r.sqlite'}"))
    values = [v for _, v in hub.picker.options]
    assert "scenario:hotpot-queue" in values and "scenario:broken" not in values
    assert hub.skipped == ["broken"]


def test_the_hub_language_switch_drives_the_open_exercise(tmp_path):
    from csat.ui.widgets import Hub

    hub = Hub(Store(f"sqlite:///{tmp_path / 'r.sqlite'}"))
    hub.name.value = "Li Lei"
    hub.picker.value = "scenario:hotpot-queue"
    hub.open_button.click()
    rp = hub.current
    assert rp.lang.layout.display == "none"  # one switch on the page
    hub.lang.value = "zh"
    assert rp.lang.value == "zh" and "刘强" in rp.chat.value
    assert hub.picker.label.startswith("角色扮演：")


def test_quiz_feedback_marks_every_option():
    from csat.ui.widgets import QuizWidget

    qw = QuizWidget("servqual-quiz")
    q = qw.quiz.questions[0]
    wrong = next(o for o in q.options if not o.correct)
    qw.session.answer(q.id, [wrong.id])
    html_ = qw._explanation_html(q, "zh")
    assert f"✗ {wrong.text.zh}" in html_ and "color:#d73027" in html_
    right = next(o for o in q.options if o.correct)
    assert f"✓ {right.text.zh}" in html_


def test_the_hub_fills_in_the_observer_name(tmp_path):
    from csat.ui.widgets import Hub

    hub = Hub(Store(f"sqlite:///{tmp_path / 'r.sqlite'}"))
    hub.name.value = "Zhou Xun"
    hub.picker.value = "observer:"
    hub.open_button.click()
    assert hub.current.observer.value == "Zhou Xun"


# --- one reply per step -----------------------------------------------------------------------


def test_a_double_click_answers_only_the_step_the_trainee_saw(store):
    """The second click of a double-click arrives from the step's old buttons after the next
    step is drawn: it is ignored, and the store holds the one reply the trainee read."""
    rp = RolePlay(SCENARIO, store=store, trainee="Li Lei", seed=1)
    first = best_choices()[0]
    button = rp.button_for(first)
    button.click()
    button.click()  # the same button again: the conversation has moved on
    assert len(rp.session.steps) == 1
    assert button not in rp.buttons, "the next step is drawn on fresh buttons"
    stale = rp.buttons[0]
    rp.button_for(best_choices()[1]).click()
    stale.click()
    assert [s.choice.id for s in rp.session.steps] == best_choices()[:2]
    decisions = store.decisions(rp.session.attempt_id)
    assert [(d.node, d.choice) for d in decisions] == rp.scenario.best_path()[:2]


def test_every_attempt_draws_its_own_reply_order_and_a_resumed_one_keeps_it(store):
    orders = {
        tuple(c.id for c in RolePlay(SCENARIO, store=store, trainee=f"T{i}").session.choices)
        for i in range(12)
    }
    assert len(orders) > 1, "without a seed, trainees side by side see different orders"
    rp = RolePlay(SCENARIO, store=store, trainee="Wang Fang")
    rp.button_for(best_choices()[0]).click()
    shown = [b.description for b in rp.buttons]
    again = RolePlay(SCENARIO, store=store, trainee="Wang Fang")  # a reload
    assert again.session.seed == rp.session.seed
    assert [b.description for b in again.buttons] == shown
    assert store.attempt(rp.session.attempt_id).seed == rp.session.seed


def test_a_good_ending_under_a_failing_score_is_not_celebrated():
    sc = load(SCENARIO)
    best = sc.best_ending()
    path = next(p for p, end in sc.paths() if end == best and not score_path(sc, p).passed)
    rp = RolePlay(SCENARIO, seed=1)
    play(rp, [c for _, c in path])
    card = rp.scorecard.value
    assert "below the pass mark of 60" in card and "Not passed yet" in card
    assert "#1a9850;color:white" not in card, "the 'stays' badge must not be green above a fail"
    rp.lang.value = "zh"
    assert "没到及格线60分" in rp.scorecard.value
    best_rp = RolePlay(SCENARIO, seed=1)
    play(best_rp, best_choices())
    assert "csat-ending-why" not in best_rp.scorecard.value


def test_a_reloaded_quiz_comes_back_at_the_question_the_trainee_was_on(store):
    quiz = load_quiz("servqual-quiz")
    qw = QuizWidget(quiz, store=store, trainee="Zhou Min")
    for q in quiz.questions[:2]:
        qw.select(q.correct_ids())
        qw.submit_button.click()
        qw.next_button.click()
    shown = list(qw.radio.options) if quiz.questions[2].kind == "single" else None
    again = QuizWidget(quiz, store=store, trainee="Zhou Min")  # the page reloaded
    assert again.index == 2 and again.current.id == quiz.questions[2].id
    assert again.session.attempt_id == qw.session.attempt_id
    assert "Welcome back, Zhou Min" in again.greeting.value
    if shown is not None:
        assert list(again.radio.options) == shown, "the options keep the attempt's order"
    for q in quiz.questions[2:]:
        again.select(q.correct_ids())
        again.submit_button.click()
        again.next_button.click()
    assert again.session.finished and again.session.score() == 100.0
    (row,) = store.attempts(exercise_id=quiz.id, finished_only=True).itertuples()
    assert row.total == 100.0


def test_every_quiz_attempt_draws_its_own_option_order():
    quiz = load_quiz("servqual-quiz")
    first = quiz.questions[0]
    orders = {tuple(o for _, o in QuizWidget(quiz).radio.options) for _ in range(12)}
    assert first.kind == "single" and len(orders) > 1


# --- who is who -------------------------------------------------------------------------------


def _hub_open(store, name, exercise=f"scenario:{SCENARIO}"):
    hub = Hub(store)
    hub.name.value = name
    hub.picker.value = exercise
    hub.open_button.click()
    return hub


def test_a_second_person_with_the_same_name_neither_continues_nor_sees_the_first(store):
    first = _hub_open(store, "王芳")
    code = first.identity.code
    assert code is not None and code in first.identity.note.value
    first.current.button_for(best_choices()[0]).click()  # 王芳 has started
    second = _hub_open(store, "王芳")  # another device, another person
    assert second.current is None, "nothing opens before the question is answered"
    assert "已经有一位叫王芳" not in second.identity.question.value  # the page is in English
    assert "Someone called 王芳 has already started here" in second.identity.question.value
    wrong = "0000" if code != "0000" else "1111"
    second.identity.confirm(wrong)
    assert second.current is None and "does not match" in second.identity.note.value
    second.identity.no.click()  # "I'm someone else"
    assert second.name.value == "王芳 2"
    assert second.current.session.steps == [], "a fresh attempt, not the first 王芳's"
    assert "欢迎回来" not in second.current.greeting.value
    assert "Welcome back" not in second.current.greeting.value
    assert len(store.trainees()) == 2


def test_the_first_person_comes_back_with_the_code_after_a_reload(store):
    first = _hub_open(store, "Li Lei")
    first.current.button_for(best_choices()[0]).click()
    code = first.identity.code
    again = _hub_open(store, "li lei")  # reloaded: a new page asks
    again.identity.code_box.value = code
    again.identity.yes.click()
    assert again.current.session.path == [(load(SCENARIO).start, best_choices()[0])]
    # The same screen opening a second exercise does not ask again.
    again.picker.value = "quiz:servqual-quiz"
    again.open_button.click()
    assert again.current.quiz.id == "servqual-quiz" and again.identity.pending is None


def test_a_trainee_made_before_codes_sets_one_on_first_claim(store):
    store.trainee("Old Timer")  # e.g. from a course notebook
    hub = _hub_open(store, "Old Timer")
    hub.identity.yes.click()
    assert hub.current is not None and hub.identity.code is not None
    assert store.check_code(store.find_trainee("Old Timer"), hub.identity.code)


def test_under_jupyterhub_the_name_is_the_signed_in_user_and_locked(store, monkeypatch):
    monkeypatch.setenv("JUPYTERHUB_USER", "wangfang")
    store.trainee("wangfang")
    hub = Hub(store)
    assert hub.name.value == "wangfang" and hub.name.disabled
    hub.picker.value = f"scenario:{SCENARIO}"
    hub.open_button.click()
    assert hub.current is not None and hub.identity.pending is None


def test_trainees_side_by_side_in_the_hub_see_different_reply_orders(store):
    orders = set()
    for i in range(10):
        hub = _hub_open(store, f"Side {i}")
        orders.add(tuple(c.id for c in hub.current.session.choices))
    assert len(orders) > 1


# -- a reset while a page is open ------------------------------------------------------------


def test_a_role_play_cleared_by_a_reset_starts_again_and_saves_from_there(store, tmp_path):
    rp = RolePlay(SCENARIO, store=store, trainee="Ana", seed=1)
    first = best_choices()
    rp.button_for(first[0]).click()
    store.reset(tmp_path / "backup.json")  # the trainer's reset, while Ana reads her next line
    rp.button_for(first[1]).click()
    assert "cleared the room&#x27;s results" in rp.message.value
    assert rp.session.node == rp.scenario.start and rp.session.steps == []
    play(rp, first)  # and from here on every reply is saved again, to the end
    assert rp.message.value == ""
    attempts = store.attempts(trainee_id=store.trainee("Ana"))
    assert len(attempts) == 1 and attempts["finished_at"].notna().all()
    assert attempts["total"].iloc[0] == 100.0


def test_a_quiz_cleared_by_a_reset_starts_again_in_chinese(store, tmp_path):
    qw = QuizWidget(load_quiz("servqual-quiz"), store=store, trainee="王芳", lang="zh")
    qw.select(qw.current.correct_ids())
    qw.submit_button.click()
    qw.next_button.click()
    store.reset(tmp_path / "backup.json")
    qw.select(qw.current.correct_ids())
    qw.submit_button.click()
    assert "培训师清空了本教室的成绩" in qw.message.value
    assert "第1题" in qw.progress.value
    answer_all(qw)
    frame = store.attempts(trainee_id=store.trainee("王芳"))
    assert len(frame) == 1 and frame.iloc[0]["total"] == 100.0
