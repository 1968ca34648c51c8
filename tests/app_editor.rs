//! The scenario editor: every bundled file opens and saves byte for byte; a 3-point client is
//! built in the form (points added, replies linked with the `next` picker) and played in the
//! preview to its ending; edits undo and redo; saving writes the file atomically.
#![cfg(feature = "gui")]

mod common;

use bevy_egui::egui;
use changetalk::app::Screen;
use changetalk::app::editor::{Editor, Selection};
use changetalk::app::screens::editor::{EditorAction, editor_ui};
use changetalk::app::theme::Palette;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

/// The smallest client the editor starts from: one point leading to one ending.
const SKELETON: &str = r#"// A client being written in the editor.
Scenario(
    id: "sketch",
    title: "A sketch",
    version: "0.1",
    author: "An instructor",
    summary: "A client being written.",
    objectives: ["Reflect before asking"],
    topic: "alcohol",
    stage: Precontemplation,
    difficulty: Beginner,
    minutes: 5,
    tags: [],
    persona: Persona(
        name: "Sam Lee",
        age: 40,
        pronouns: "they/them",
        background: "Sam drinks most evenings.",
        situation: "Sam's doctor sent them.",
        initial: State(engagement: 4, discord: 2, importance: 3, confidence: 4),
    ),
    start: "point-1",
    points: [
        Point(
            id: "point-1",
            lines: [
                Line(id: "point-1.a", text: "My doctor sent me. I'm fine.", talk: Sustain(Need)),
            ],
            options: [
                // 4: a complex reflection of sustain talk.
                Option(
                    id: "point-1.reflect",
                    text: "Coming here wasn't your idea.",
                    codes: [ComplexReflection],
                    next: "end",
                    feedback: "Complex reflection: it names what Sam left unsaid.",
                ),
            ],
        ),
    ],
    endings: [
        Ending(id: "end", title: "Sam stays", outcome: Positive, text: "Sam stays.", debrief: "Reflections kept Sam talking."),
    ],
)
"#;

#[test]
fn every_bundled_file_opens_and_saves_byte_for_byte_through_the_app() {
    let dir = tempfile::tempdir().unwrap();
    let scenarios = common::root().join("scenarios");
    for e in std::fs::read_dir(&scenarios).unwrap() {
        let src = e.unwrap().path();
        let copy = dir.path().join(src.file_name().unwrap());
        std::fs::copy(&src, &copy).unwrap();
        let mut app = common::headless_app(dir.path(), Screen::Editor);
        let ed = changetalk::app::flow::open_editor(&copy).expect("opens");
        app.insert_resource(ed);
        app.update();
        common::send(&mut app, EditorAction::Save);
        assert_eq!(
            std::fs::read(&copy).unwrap(),
            std::fs::read(&src).unwrap(),
            "{}",
            src.display()
        );
    }
}

#[test]
fn a_three_point_client_is_built_in_the_form_and_played_in_the_preview() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sketch.ron");
    std::fs::write(&path, SKELETON).unwrap();
    let ed = Editor::open(path, SKELETON.to_string());
    let mut harness = Harness::new_ui_state(
        |ui, ed: &mut Editor| {
            editor_ui(ui, ed, &Palette::NORMAL);
        },
        ed,
    );
    harness.set_size(egui::vec2(1400.0, 2400.0));
    harness.run();
    // Two more points, each added after the selected one: the chain stays linked.
    harness.get_by_label("+ Point").click();
    harness.run();
    harness.get_by_label("+ Point").click();
    harness.run();
    let s = harness.state().draft.scenario().expect("still a client");
    let ids: Vec<&str> = s.points.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, ["point-1", "point-2", "point-3"]);
    assert_eq!(s.points[0].options[0].next, "point-2");
    assert_eq!(s.points[1].options[0].next, "point-3");
    assert_eq!(s.points[2].options[0].next, "end");
    // A second reply at point 1, sent straight to point 3 with its `next` picker.
    harness.get_by_label("point-1").click();
    harness.run();
    harness.get_by_label("+ Reply").click();
    harness.run();
    let s = harness.state().draft.scenario().unwrap();
    assert_eq!(s.points[0].options.len(), 2);
    let reply = s.points[0].options[1].id.clone();
    harness.get_by_label(&format!("next ({reply})")).click();
    harness.run();
    harness
        .get_all_by_label("point-3")
        .last()
        .expect("the picker lists it")
        .click();
    harness.run();
    let s = harness.state().draft.scenario().unwrap();
    assert_eq!(s.points[0].options[1].next, "point-3");
    // A code ticked in the list.
    harness.get_by_label("point-3").click();
    harness.run();
    harness.get_by_label("Affirm").click();
    harness.run();
    let s = harness.state().draft.scenario().unwrap();
    assert!(
        s.points[2].options[0]
            .codes
            .contains(&changetalk_core::MitiCode::Affirm)
    );
    // Undo takes the tick back; redo puts it back.
    harness.get_by_label("Undo").click();
    harness.run();
    assert!(
        !harness.state().draft.scenario().unwrap().points[2].options[0]
            .codes
            .contains(&changetalk_core::MitiCode::Affirm)
    );
    harness.get_by_label("Redo").click();
    harness.run();
    // The preview plays it from the start to its ending.
    harness.state_mut().selected = Selection::Client;
    harness.run();
    harness.get_by_label("Play from the start").click();
    harness.run();
    for reply in [
        "1  Coming here wasn't your idea.",
        "1  What the trainee can say.",
        "1  What the trainee can say.",
    ] {
        harness.get_by_label(reply).click();
        harness.run();
    }
    harness.get_by_label("Ending: Sam stays");
    let preview = harness.state().preview.as_ref().expect("a preview");
    assert_eq!(preview.turns().len(), 3);
    // The audit, run on demand: a sketch with one reply per point is all model conversation,
    // so every surface strategy scores the same and it fails, as it should.
    harness.get_by_label("Run the audit").click();
    harness.run();
    harness.get_by_label_contains("FAILS: model");
    // A preview from a point starts in the state set beside it.
    harness.get_by_label("point-2").click();
    harness.run();
    harness.state_mut().preview_state = Some(changetalk_core::engine::model::ClientState {
        engagement: 2,
        discord: 7,
        importance: 1,
        confidence: 1,
    });
    harness.get_by_label("Play from point-2").click();
    harness.run();
    assert_eq!(
        harness.state().preview.as_ref().map(|p| p.state().discord),
        Some(7)
    );
    // The comment above the first reply is still there.
    assert!(
        harness
            .state()
            .draft
            .text()
            .contains("// 4: a complex reflection of sustain talk.")
    );
}

#[test]
fn a_line_condition_is_built_from_pickers_and_checks_show_beside_their_fields() {
    use changetalk_core::authoring::draft::Step;
    let text = changetalk_core::format::template::client_template_for("relapse", "chris").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut ed = Editor::open(dir.path().join("chris.ron"), text);
    // At the start the client's state is always the same: no condition is offered there.
    assert!(ed.select_point("opening"));
    let mut harness = Harness::new_ui_state(
        |ui, ed: &mut Editor| {
            editor_ui(ui, ed, &Palette::NORMAL);
        },
        ed,
    );
    harness.set_size(egui::vec2(1400.0, 3000.0));
    harness.run();
    harness.get_by_label_contains("Here the client can be at engagement 3 · discord 3");
    assert!(
        harness
            .get_all_by_label("+ Only when…")
            .all(|b| egui_kittest::kittest::NodeT::accesskit_node(&b).is_disabled())
    );
    // At `normal`, reached on several paths, the first test offered is one that can hold.
    let at = |h: &Harness<Editor>| {
        let s = h.state().draft.scenario().expect("loads");
        s.points.iter().position(|p| p.id == "normal").unwrap()
    };
    assert!(harness.state_mut().select_point("normal"));
    harness.run();
    let point = at(&harness);
    let when = |h: &Harness<Editor>| {
        h.state().draft.scenario().expect("loads").points[point].lines[0]
            .when
            .as_ref()
            .map(|c| c.source.clone())
    };
    assert_eq!(when(&harness), None);
    // Its only plain line cannot take a condition until there is another.
    harness.get_by_label("+ Line").click();
    harness.run();
    // Two plain lines are variants, and say so.
    assert_eq!(
        harness
            .get_all_by_label("Said in any state (one of 2 plain lines, picked at random)")
            .count(),
        2
    );
    harness
        .get_all_by_label("+ Only when…")
        .next()
        .unwrap()
        .click();
    harness.run();
    let first = when(&harness).expect("a condition");
    let dead = |h: &mut Harness<Editor>| {
        h.state_mut()
            .checked()
            .problems
            .iter()
            .any(|p| p.message.contains("normal.a"))
    };
    assert!(!dead(&mut harness), "`{first}` can hold at normal");
    harness.get_all_by_label("+ and…").next().unwrap().click();
    harness.run();
    assert_eq!(when(&harness), Some(format!("{first} and engagement >= 5")));
    harness
        .get_all_by_label("Remove test")
        .next()
        .unwrap()
        .click();
    harness.run();
    assert_eq!(when(&harness).as_deref(), Some("engagement >= 5"));
    harness
        .get_all_by_label("Remove test")
        .next()
        .unwrap()
        .click();
    harness.run();
    assert_eq!(
        when(&harness),
        None,
        "no test left: the line is said always"
    );
    // A condition the pickers cannot show is offered as text.
    let line0 = [
        Step::Field("points"),
        Step::Item(point),
        Step::Field("lines"),
        Step::Item(0),
    ];
    let r = harness
        .state_mut()
        .draft
        .set_field(&line0, "when", "\"discord >= 5 or turn > 3\"");
    assert!(r.is_ok());
    harness.run();
    harness.get_by_label_contains("uses `or` or `not`");
    // A lint check shows under the field it concerns: thin feedback under the reply's.
    let fb = [
        Step::Field("points"),
        Step::Item(point),
        Step::Field("options"),
        Step::Item(0),
        Step::Field("feedback"),
    ];
    assert!(harness.state_mut().draft.set_string(&fb, "Good.").is_ok());
    harness.run();
    let problems = harness.state_mut().checked().problems.clone();
    let thin = problems
        .iter()
        .find(|p| p.message.contains("feedback"))
        .expect("a thin-feedback check");
    harness.get_by_label(&format!("Check: {}", thin.message));
    // Each reply says its rating and why.
    let options = harness.state().draft.scenario().unwrap().points[point]
        .options
        .len();
    assert_eq!(harness.get_all_by_label_contains("Rated ").count(), options);
    // The new line's talk picker opens on its own (each picker has its line's id).
    harness.get_all_by_label("talk").last().unwrap().click();
    harness.run();
    // (An item near the top of the list: one scrolled out of the popup takes no click.)
    harness.get_by_label("Change(Reasons)").click();
    harness.run();
    let s = harness.state().draft.scenario().expect("loads");
    let lines = &s.points[point].lines;
    assert_eq!(
        lines[lines.len() - 1].talk,
        changetalk_core::miti::talk::TalkType::Change(
            changetalk_core::miti::talk::DarnCat::Reasons
        )
    );
    assert_eq!(
        lines[0].talk,
        changetalk_core::miti::talk::TalkType::Neutral,
        "the other lines are untouched"
    );
    // Endings are in the outline, with their own form.
    harness.get_by_label("door-open").click();
    harness.run();
    harness.get_by_label("Ending door-open");
    harness.get_by_label("Outcome").click();
    harness.run();
    harness.get_by_label("Disengaged").click();
    harness.run();
    let s = harness.state().draft.scenario().expect("loads");
    let end = s.endings.iter().find(|e| e.id == "door-open").unwrap();
    assert_eq!(
        end.outcome,
        changetalk_core::engine::model::Outcome::Disengaged
    );
}

#[test]
fn a_new_client_from_a_template_is_written_and_opens_in_the_editor() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = common::headless_app(dir.path(), Screen::Library);
    app.insert_resource(changetalk::app::state::Catalog(Vec::new()));
    app.update();
    common::send(
        &mut app,
        changetalk::app::screens::library::LibraryAction::NewClient {
            kind: "relapse".into(),
            id: "my-relapse".into(),
        },
    );
    let file = dir.path().join("data/scenarios/my-relapse.ron");
    let text = std::fs::read_to_string(&file).expect("written");
    let s = changetalk_core::load_scenario(&text).expect("loads");
    assert_eq!(s.id, "my-relapse");
    assert_eq!(common::screen(&app), Screen::Editor);
    assert_eq!(app.world().resource::<Editor>().draft.text(), text);
    // The same id again is refused, and the file is untouched.
    common::send(&mut app, EditorAction::Back);
    assert_eq!(common::screen(&app), Screen::Library);
    common::send(
        &mut app,
        changetalk::app::screens::library::LibraryAction::NewClient {
            kind: "relapse".into(),
            id: "my-relapse".into(),
        },
    );
    let form = app
        .world()
        .resource::<changetalk::app::screens::library::NewClientForm>();
    assert!(
        form.error
            .as_deref()
            .is_some_and(|e| e.contains("already exists")),
        "{:?}",
        form.error
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), text);
}

#[test]
fn a_template_client_still_named_is_pointed_out_and_replaced_in_one_step() {
    let text = changetalk_core::format::template::client_template_for("rebellious", "sam").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut ed = Editor::open(dir.path().join("sam.ron"), text);
    let name = [
        changetalk_core::authoring::draft::Step::Field("persona"),
        changetalk_core::authoring::draft::Step::Field("name"),
    ];
    assert!(ed.draft.set_string(&name, "Sam").is_ok());
    let connor = ed.draft.count_in_words("Connor");
    assert!(connor > 5, "{connor}");
    let mut harness = Harness::new_ui_state(
        |ui, ed: &mut Editor| {
            editor_ui(ui, ed, &Palette::NORMAL);
        },
        ed,
    );
    harness.set_size(egui::vec2(1400.0, 1000.0));
    harness.run();
    harness.get_by_label_contains("“Connor”, the template's client, is still named");
    harness
        .get_by_label("Replace “Connor” with “Sam” everywhere")
        .click();
    harness.run();
    assert_eq!(harness.state().draft.count_in_words("Connor"), 0);
    let s = harness.state().draft.scenario().expect("still loads");
    assert_eq!(s.persona.name, "Sam");
    assert!(s.title.starts_with("Sam — "), "{}", s.title);
    assert!(
        harness
            .query_by_label_contains("the template's client")
            .is_none(),
        "the nudge goes once the name is gone"
    );
    // One undo step brings every one back.
    harness.get_by_label("Undo").click();
    harness.run();
    assert_eq!(harness.state().draft.count_in_words("Connor"), connor);
}
