//! Styles in the 16 ANSI colours only, so the terminal's palette decides
//! how they look; with `NO_COLOR` every style keeps its weight and
//! reverse video but drops its colour.

use ratatui::style::{Color, Modifier, Style};
use scraper_common::{FlowStatus, LogLevel, RunStatus};

#[derive(Debug, Clone, Copy)]
pub struct Theme {
    pub color: bool,
}

impl Theme {
    pub fn fg(&self, color: Color) -> Style {
        if self.color {
            Style::new().fg(color)
        } else {
            Style::new()
        }
    }

    pub fn title(&self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    pub fn border(&self) -> Style {
        self.fg(Color::Blue)
    }

    pub fn column_header(&self) -> Style {
        self.fg(Color::White).add_modifier(Modifier::BOLD)
    }

    pub fn selected(&self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }

    pub fn key(&self) -> Style {
        self.fg(Color::Magenta).add_modifier(Modifier::BOLD)
    }

    pub fn label(&self) -> Style {
        self.fg(Color::Yellow)
    }

    pub fn dim(&self) -> Style {
        if self.color {
            Style::new().fg(Color::DarkGray)
        } else {
            Style::new().add_modifier(Modifier::DIM)
        }
    }

    pub fn good(&self) -> Style {
        self.fg(Color::Green)
    }

    pub fn bad(&self) -> Style {
        self.fg(Color::Red).add_modifier(Modifier::BOLD)
    }

    pub fn warn(&self) -> Style {
        self.fg(Color::Yellow)
    }

    pub fn busy(&self) -> Style {
        self.fg(Color::Cyan)
    }

    /// A record or a line that appeared (a diff's `+`).
    pub fn added(&self) -> Style {
        self.fg(Color::Green)
    }

    /// A record or a line that went away (a diff's `-`).
    pub fn removed(&self) -> Style {
        self.fg(Color::Red)
    }

    /// A field that holds another value: neither good nor bad news.
    pub fn changed(&self) -> Style {
        self.fg(Color::Yellow)
    }

    /// A diff's `@@` hunk header.
    pub fn hunk(&self) -> Style {
        self.fg(Color::Cyan)
    }

    /// A browser step's name in a log line or a run's timings; bold
    /// without colour, so it still stands out.
    pub fn step(&self) -> Style {
        if self.color {
            Style::new().fg(Color::Cyan)
        } else {
            Style::new().add_modifier(Modifier::BOLD)
        }
    }

    pub fn matched(&self) -> Style {
        self.fg(Color::Yellow).add_modifier(Modifier::REVERSED)
    }

    pub fn flow_status(&self, status: FlowStatus) -> Style {
        match status {
            FlowStatus::Active => self.good(),
            FlowStatus::Paused => self.warn(),
            FlowStatus::Draft => self.dim(),
            FlowStatus::Error => self.bad(),
        }
    }

    pub fn run_status(&self, status: RunStatus) -> Style {
        match status {
            RunStatus::Queued => self.fg(Color::Blue),
            RunStatus::Running => self.busy(),
            RunStatus::Completed => self.good(),
            RunStatus::Failed => self.bad(),
            RunStatus::Cancelled => self.warn(),
        }
    }

    pub fn level(&self, level: LogLevel) -> Style {
        match level {
            LogLevel::Debug => self.dim(),
            LogLevel::Info => self.good(),
            LogLevel::Warn => self.warn(),
            LogLevel::Error => self.bad(),
        }
    }
}
