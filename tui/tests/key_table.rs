//! The key table's rule, tried key by key: in every view and every dialog,
//! a key that does anything is a binding of `KEYMAP` for that context, and
//! every binding is on the help screen and, if hinted, in the header.

mod common;

use common::{Data, chars, ctrl, feed_logs, loaded, press};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use scraper_tui::App;
use scraper_tui::app::key::Key;
use scraper_tui::app::keymap::{self, Context, KEYMAP, Lookup};
use scraper_tui::app::overlay::{Notice, Overlay};

/// Makes a fresh app in one situation.
type Setup = fn() -> (App, Data);

/// The app in each context there is, by the keys a person would press.
fn situations() -> Vec<(&'static str, Setup)> {
    vec![
        ("flows", || loaded()),
        ("runs", || {
            let (mut app, data) = loaded();
            press(&mut app, &data, KeyCode::Enter);
            (app, data)
        }),
        ("logs", || {
            let (mut app, data) = loaded();
            press(&mut app, &data, KeyCode::Enter);
            let commands = press(&mut app, &data, KeyCode::Enter);
            feed_logs(&mut app, &commands, common::logs(30), None);
            app.body_rows.set(10);
            (app, data)
        }),
        ("items", || {
            let (mut app, data) = loaded();
            press(&mut app, &data, KeyCode::Enter);
            press(&mut app, &data, KeyCode::Char('i'));
            (app, data)
        }),
        ("keys", || {
            let (mut app, data) = loaded();
            chars(&mut app, &data, ":keys");
            press(&mut app, &data, KeyCode::Enter);
            (app, data)
        }),
        ("describe", || {
            let (mut app, data) = loaded();
            press(&mut app, &data, KeyCode::Char('d'));
            (app, data)
        }),
        ("run describe", || {
            let (mut app, data) = loaded();
            chars(&mut app, &data, ":runs");
            press(&mut app, &data, KeyCode::Enter);
            for _ in 0..common::INTERACT_RUN {
                press(&mut app, &data, KeyCode::Char('j'));
            }
            press(&mut app, &data, KeyCode::Char('d'));
            (app, data)
        }),
        ("changes", || {
            let (mut app, data) = loaded();
            press(&mut app, &data, KeyCode::Char('c'));
            (app, data)
        }),
        ("run changes", || {
            let (mut app, data) = loaded();
            press(&mut app, &data, KeyCode::Enter);
            press(&mut app, &data, KeyCode::Char('j'));
            press(&mut app, &data, KeyCode::Char('c'));
            (app, data)
        }),
        ("deliveries", || {
            let (mut app, data) = loaded();
            press(&mut app, &data, KeyCode::Char('w'));
            (app, data)
        }),
        ("stopped webhook", || {
            let (mut app, data) = loaded();
            press(&mut app, &data, KeyCode::Char('G'));
            press(&mut app, &data, KeyCode::Char('w'));
            (app, data)
        }),
        ("read-only deliveries", || {
            let (mut app, data) = loaded();
            press(&mut app, &data, KeyCode::Char('w'));
            app.settings.readonly = true;
            (app, data)
        }),
        ("help", || {
            let (mut app, data) = loaded();
            press(&mut app, &data, KeyCode::Char('?'));
            (app, data)
        }),
        ("confirm", || {
            let (mut app, data) = loaded();
            press(&mut app, &data, KeyCode::Char('t'));
            (app, data)
        }),
        ("export", || {
            let (mut app, data) = loaded();
            press(&mut app, &data, KeyCode::Enter);
            press(&mut app, &data, KeyCode::Char('i'));
            ctrl(&mut app, &data, 's');
            (app, data)
        }),
        ("notice", || {
            let (mut app, data) = loaded();
            app.overlay = Overlay::Notice(Notice {
                title: "Key created".into(),
                lines: vec!["scr_live_x".into()],
            });
            (app, data)
        }),
        ("filter", || {
            let (mut app, data) = loaded();
            chars(&mut app, &data, "/mon");
            (app, data)
        }),
        ("log search", || {
            let (mut app, data) = loaded();
            press(&mut app, &data, KeyCode::Enter);
            press(&mut app, &data, KeyCode::Enter);
            chars(&mut app, &data, "/x");
            (app, data)
        }),
        ("new key", || {
            let (mut app, data) = loaded();
            chars(&mut app, &data, ":keys");
            press(&mut app, &data, KeyCode::Enter);
            chars(&mut app, &data, "nci");
            (app, data)
        }),
        ("command", || {
            let (mut app, data) = loaded();
            chars(&mut app, &data, ":r");
            (app, data)
        }),
        ("read-only flows", || {
            let (mut app, data) = loaded();
            app.settings.readonly = true;
            (app, data)
        }),
    ]
}

/// Every key a terminal can send that the app might care about, alone and
/// with a modifier.
fn every_key() -> Vec<KeyEvent> {
    let mut codes: Vec<KeyCode> = (' '..='~').map(KeyCode::Char).collect();
    codes.extend([
        KeyCode::Enter,
        KeyCode::Esc,
        KeyCode::Tab,
        KeyCode::BackTab,
        KeyCode::Backspace,
        KeyCode::Delete,
        KeyCode::Insert,
        KeyCode::Up,
        KeyCode::Down,
        KeyCode::Left,
        KeyCode::Right,
        KeyCode::Home,
        KeyCode::End,
        KeyCode::PageUp,
        KeyCode::PageDown,
    ]);
    codes.extend((1..=12).map(KeyCode::F));
    let modifiers = [
        KeyModifiers::NONE,
        KeyModifiers::CONTROL,
        KeyModifiers::ALT,
        KeyModifiers::SHIFT,
    ];
    codes
        .iter()
        .flat_map(|&code| modifiers.map(|m| KeyEvent::new(code, m)))
        .collect()
}

/// All the state a key can change, in one comparable string.
fn state(app: &App) -> String {
    format!(
        "{:?}\n{:?}\n{:?}\n{} {:?}",
        app.stack,
        app.overlay,
        app.flash.as_ref().map(|f| (&f.text, f.error)),
        app.quit,
        app.last_filter,
    )
}

/// The keys that act in this situation but are not bound in its context.
fn undocumented(name: &str, setup: Setup) -> Vec<String> {
    let focus = setup().0.focus();
    // `ctrl-s` in the logs writes a file (a screenshot's is only asked for).
    let save_dir = tempfile::tempdir().unwrap();
    let mut found = Vec::new();
    for event in every_key() {
        let (mut app, _) = setup();
        app.settings.save_dir = save_dir.path().to_path_buf();
        let before = state(&app);
        let commands = app.handle_key(event);
        let acted = !commands.is_empty() || state(&app) != before;
        let key = Key::from_event(&event);
        if acted && keymap::lookup(focus, key, app.settings.readonly) == Lookup::Unbound {
            found.push(format!("{name} ({focus:?}): {event:?}"));
        }
    }
    found
}

#[test]
fn every_key_that_does_something_is_a_binding_of_its_context() {
    let situations = situations();
    // Thousands of keys, each on a fresh app: one thread per situation.
    let undocumented: Vec<String> = std::thread::scope(|s| {
        let workers: Vec<_> = situations
            .iter()
            .map(|&(name, setup)| s.spawn(move || undocumented(name, setup)))
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap())
            .collect()
    });
    assert!(
        undocumented.is_empty(),
        "keys that act but are not in KEYMAP:\n{}",
        undocumented.join("\n")
    );
    let seen: Vec<Context> = situations
        .iter()
        .map(|(_, setup)| setup().0.focus())
        .collect();
    let views = [
        Context::Flows,
        Context::Runs,
        Context::Logs,
        Context::Items,
        Context::Keys,
        Context::Describe,
        Context::RunDescribe,
        Context::Changes,
        Context::Deliveries,
    ];
    for context in views.iter().chain(Context::DIALOGS) {
        assert!(seen.contains(context), "no situation tries {context:?}");
    }
}

#[test]
fn every_binding_is_on_the_help_screen() {
    let (mut app, data) = loaded();
    press(&mut app, &data, KeyCode::Char('?'));
    let help = scraper_tui::headless::render_text(&app, 120, 200);
    for b in KEYMAP
        .iter()
        .filter(|b| b.context == Context::Flows || b.context == Context::Global)
        .chain(KEYMAP.iter().filter(|b| b.context.is_dialog()))
    {
        let line = format!("{:<13} {}", keymap::keys_label(b), b.label);
        assert!(help.contains(&line), "`{line}` missing from help:\n{help}");
    }
    for context in Context::DIALOGS {
        let title = context.title().to_uppercase();
        assert!(help.contains(&title), "no {title} section:\n{help}");
    }
    // Bindings of the other views are in their own help.
    let views = [
        Context::Runs,
        Context::Logs,
        Context::Items,
        Context::Keys,
        Context::RunDescribe,
        Context::Changes,
        Context::Deliveries,
    ];
    for b in KEYMAP.iter().filter(|b| views.contains(&b.context)) {
        // `KEYMAP` is a constant: compare bindings, not addresses.
        let same =
            |x: &&keymap::Binding| (x.context, x.act, x.label) == (b.context, b.act, b.label);
        let groups = keymap::help(b.context, false);
        assert!(
            groups.iter().any(|(_, bs)| bs.iter().any(same)),
            "{} missing from the {:?} help",
            b.label,
            b.context
        );
    }
}

#[test]
fn a_dialog_puts_its_keys_in_the_header() {
    for (name, setup) in situations() {
        let (app, _) = setup();
        let focus = app.focus();
        if !focus.is_dialog() {
            continue;
        }
        let screen = scraper_tui::headless::render_text(&app, 120, 40);
        let header: String = screen.lines().take(5).collect::<Vec<_>>().join("\n");
        for b in keymap::hints(focus, false) {
            let hint = format!("<{}> {}", keymap::keys_label(b), b.label);
            assert!(
                header.contains(&hint),
                "{name}: `{hint}` missing:\n{header}"
            );
        }
    }
}
