//! The input line: typing, and what its text does once submitted.

use crate::app::App;
use crate::app::action::{Command, InputAct};
use crate::app::key::Key;
use crate::app::overlay::{Input, InputKind, Overlay};

impl App {
    pub(in crate::app) fn open_input(&mut self, kind: InputKind, text: String) {
        self.overlay = Overlay::Input(Input {
            kind,
            before: self.table_filter().unwrap_or_default(),
            text,
            hint: None,
        });
    }

    pub(in crate::app) fn input_act(&mut self, act: InputAct, key: Key) -> Vec<Command> {
        let Overlay::Input(mut input) = std::mem::take(&mut self.overlay) else {
            return Vec::new();
        };
        match act {
            InputAct::Submit => return self.submit_input(input),
            InputAct::Close => {
                // A live filter goes back to what it was.
                if input.kind == InputKind::Filter {
                    self.set_table_filter(&input.before);
                }
                return Vec::new();
            }
            InputAct::Erase => {
                input.text.pop();
            }
            InputAct::Clear => input.text.clear(),
            InputAct::Complete => self.complete(&mut input),
            InputAct::Type => input.text.extend(key.typed()),
        }
        if input.kind == InputKind::Filter {
            self.set_table_filter(&input.text);
        }
        // The completions listed stay until the text is edited.
        if act != InputAct::Complete {
            input.hint = None;
        }
        self.overlay = Overlay::Input(input);
        Vec::new()
    }

    fn submit_input(&mut self, input: Input) -> Vec<Command> {
        let text = input.text.trim().to_string();
        match input.kind {
            InputKind::Filter => {
                self.set_table_filter(&text);
                if !text.is_empty() {
                    self.last_filter = text;
                }
                Vec::new()
            }
            InputKind::Command => self.run_command(&text),
            InputKind::Search => {
                self.search_logs(text);
                Vec::new()
            }
            InputKind::NewKey => self.create_key(&text),
        }
    }
}
