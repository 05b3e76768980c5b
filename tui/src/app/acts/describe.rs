//! A run's describe: `ctrl-s` saves the selected screenshot into the save
//! directory, as `ctrl-s` saves a run's logs.

use crate::app::App;
use crate::app::action::{Command, DescribeAct, Request, Slot};
use crate::app::nav::{Screen, Target};

impl App {
    pub(in crate::app) fn describe_act(&mut self, act: DescribeAct) -> Vec<Command> {
        match act {
            DescribeAct::SaveScreenshot => self.ask_screenshot(),
        }
    }

    /// Asks for the selected screenshot's PNG; its answer is saved.
    fn ask_screenshot(&mut self) -> Vec<Command> {
        // The key is bound in a run's describe only.
        let Screen::Describe(v) = self.screen() else {
            return Vec::new();
        };
        let Target::Run(run_id) = &v.target else {
            return Vec::new();
        };
        let Some(shot) = v.selected_screenshot() else {
            let text = match &v.content {
                None => format!("{run_id} is not loaded yet"),
                Some(_) => format!("{run_id} took no screenshots"),
            };
            self.flash_error(text);
            return Vec::new();
        };
        let request = Request::ScreenshotPng {
            run_id: run_id.clone(),
            n: shot.n,
        };
        vec![self.request(Slot::Write, request)]
    }

    /// Writes a screenshot the server sent, named after its run and number.
    pub(in crate::app) fn save_screenshot(&mut self, run_id: &str, n: u32, png: &[u8]) {
        match crate::export::save_screenshot(&self.settings.save_dir, run_id, n, png) {
            Ok(path) => {
                let bytes = png.len();
                self.flash_info(format!(
                    "saved screenshot {n} ({bytes} bytes) to {}",
                    path.display()
                ));
            }
            Err(e) => self.flash_error(format!("could not save screenshot {n}: {e}")),
        }
    }
}
