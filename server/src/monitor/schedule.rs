//! A flow's schedule: `every 30s|15m|6h|1d`, or a 5-field cron expression
//! (`@hourly`, `@daily`... too) read in an IANA time zone (UTC by default).
//! Pure: text in, ticks out.
//!
//! Cron ticks across daylight-saving changes are croner's: a fixed time that
//! falls in the spring-forward gap runs right after it; one in the repeated
//! autumn hour runs once; wildcard and step fields run at every wall-clock
//! match, the repeated hour included.

use chrono::{DateTime, TimeDelta, Utc};
use chrono_tz::Tz;
use croner::Cron;
use croner::parser::{CronParser, Seconds, Year};
use std::time::Duration;

#[derive(Debug, Clone)]
pub enum Schedule {
    /// A fixed period, its ticks on a grid from the first one.
    Every(Duration),
    Cron(Box<Cron>, Tz),
}

impl Schedule {
    /// Reads `text` in `timezone`; the error says what is wrong, for a
    /// person (the API prefixes the field).
    pub fn parse(text: &str, timezone: Option<&str>) -> Result<Schedule, String> {
        let text = text.trim();
        let tz: Tz = match timezone {
            None => Tz::UTC,
            Some(name) => name.trim().parse().map_err(|_| {
                format!("`{name}` is not an IANA time zone name (such as Europe/Paris or UTC)")
            })?,
        };
        // A time zone does not move the ticks of a fixed period.
        if let Some(period) = text.strip_prefix("every ") {
            return period_of(period.trim()).map(Schedule::Every);
        }
        let cron = CronParser::builder()
            .seconds(Seconds::Disallowed)
            .year(Year::Disallowed)
            .build()
            .parse(text)
            .map_err(|e| {
                format!(
                    "`{text}` is neither `every N[s|m|h|d]` nor a 5-field cron expression ({e})"
                )
            })?;
        Ok(Schedule::Cron(Box::new(cron), tz))
    }

    /// The first tick after `after`.
    pub fn next_after(&self, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
        match self {
            Schedule::Every(period) => Some(after + delta(*period)),
            Schedule::Cron(cron, tz) => cron
                .find_next_occurrence(&after.with_timezone(tz), false)
                .ok()
                .map(|t| t.with_timezone(&Utc)),
        }
    }

    /// The tick after `tick`, the scheduled one (not when its run ended), so
    /// that a schedule does not drift; when that is not after `now` (the
    /// server was down, or busy), the first tick after `now`: missed ticks
    /// make one catch-up run, not a burst.
    pub fn following(&self, tick: DateTime<Utc>, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let next = self.next_after(tick)?;
        if next > now {
            return Some(next);
        }
        match self {
            // Stay on the grid of the first tick.
            Schedule::Every(period) => {
                let step = delta(*period).num_milliseconds().max(1);
                let behind = (now - tick).num_milliseconds();
                Some(tick + TimeDelta::milliseconds((behind / step + 1) * step))
            }
            Schedule::Cron(..) => self.next_after(now),
        }
    }

    /// The shortest time between two ticks (for a cron expression, over its
    /// next year of ticks, which covers every pattern it can have).
    pub fn shortest_gap(&self, from: DateTime<Utc>) -> Duration {
        match self {
            Schedule::Every(period) => *period,
            Schedule::Cron(..) => {
                let mut shortest = Duration::MAX;
                let mut at = from;
                let horizon = from + TimeDelta::days(366);
                // A minute is the least 5 fields allow; stop once it is seen.
                for _ in 0..2000 {
                    let Some(next) = self.next_after(at) else {
                        break;
                    };
                    if next > horizon {
                        break;
                    }
                    if at != from {
                        let gap = (next - at).to_std().unwrap_or_default();
                        shortest = shortest.min(gap);
                        if shortest <= Duration::from_secs(60) {
                            break;
                        }
                    }
                    at = next;
                }
                shortest
            }
        }
    }
}

fn delta(period: Duration) -> TimeDelta {
    TimeDelta::from_std(period).unwrap_or(TimeDelta::MAX)
}

/// `30s`, `15m`, `6h`, `1d`.
fn period_of(text: &str) -> Result<Duration, String> {
    let bad =
        || format!("`every {text}` needs a whole number and a unit: s, m, h or d (`every 15m`)");
    let unit = text.chars().last().ok_or_else(bad)?;
    let n: u64 = text[..text.len() - unit.len_utf8()]
        .trim()
        .parse()
        .map_err(|_| bad())?;
    let secs = match unit {
        's' => 1,
        'm' => 60,
        'h' => 3600,
        'd' => 86_400,
        _ => return Err(bad()),
    };
    if n == 0 {
        return Err(format!("`every {text}`: the period must be more than 0"));
    }
    n.checked_mul(secs)
        .filter(|s| *s <= 366 * 86_400)
        .map(Duration::from_secs)
        .ok_or_else(|| format!("`every {text}`: at most a year"))
}

/// A duration as people write it in flags: `60s`, `1s`, `5m`, `500ms`.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    if let Some(ms) = text.strip_suffix("ms") {
        return ms
            .trim()
            .parse()
            .map(Duration::from_millis)
            .map_err(|_| format!("`{text}` is not a duration such as 500ms, 1s, 60s or 5m"));
    }
    period_of(text).map_err(|_| format!("`{text}` is not a duration such as 500ms, 1s, 60s or 5m"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: u32, m: u32, s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 18, h, m, s).unwrap()
    }

    #[test]
    fn intervals_and_their_mistakes() {
        let every = |t: &str| Schedule::parse(t, None).map(|s| s.shortest_gap(at(0, 0, 0)));
        assert_eq!(every("every 30s"), Ok(Duration::from_secs(30)));
        assert_eq!(every("every 15m"), Ok(Duration::from_secs(900)));
        assert_eq!(every("every 6h"), Ok(Duration::from_secs(6 * 3600)));
        assert_eq!(every("every 1d"), Ok(Duration::from_secs(86_400)));
        for bad in [
            "every",
            "every 5",
            "every 5w",
            "every m",
            "every 0s",
            "every -1m",
        ] {
            assert!(Schedule::parse(bad, None).is_err(), "{bad}");
        }
    }

    #[test]
    fn cron_expressions_aliases_and_zones() {
        let hourly = Schedule::parse("@hourly", None).unwrap();
        assert_eq!(hourly.next_after(at(10, 15, 0)), Some(at(11, 0, 0)));
        let daily_paris = Schedule::parse("0 9 * * *", Some("Europe/Paris")).unwrap();
        // 09:00 in Paris on 18 March 2026 is 08:00 UTC (CET, UTC+1).
        assert_eq!(daily_paris.next_after(at(7, 0, 0)), Some(at(8, 0, 0)));
        assert_eq!(
            Schedule::parse("*/5 * * * *", None)
                .unwrap()
                .shortest_gap(at(0, 0, 0)),
            Duration::from_secs(300)
        );
        let err = Schedule::parse("61 * * * *", None).unwrap_err();
        assert!(err.contains("61 * * * *"), "{err}");
        assert!(
            Schedule::parse("0 0 * * * *", None).is_err(),
            "6 fields are refused"
        );
        let err = Schedule::parse("@daily", Some("Mars/Olympus")).unwrap_err();
        assert!(err.contains("Mars/Olympus"), "{err}");
    }

    #[test]
    fn the_next_tick_follows_the_scheduled_one_and_missed_ticks_give_one() {
        let every = Schedule::parse("every 10s", None).unwrap();
        // Finished late: the next tick is still on the grid.
        assert_eq!(
            every.following(at(0, 0, 0), at(0, 0, 7)),
            Some(at(0, 0, 10))
        );
        // Down for an hour: one catch-up now, then back on the grid.
        assert_eq!(
            every.following(at(0, 0, 0), at(1, 0, 3)),
            Some(at(1, 0, 10))
        );
        let cron = Schedule::parse("0 * * * *", None).unwrap();
        assert_eq!(cron.following(at(1, 0, 0), at(1, 0, 1)), Some(at(2, 0, 0)));
        assert_eq!(cron.following(at(1, 0, 0), at(5, 30, 0)), Some(at(6, 0, 0)));
    }

    #[test]
    fn durations_for_flags() {
        assert_eq!(parse_duration("60s"), Ok(Duration::from_secs(60)));
        assert_eq!(parse_duration("1s"), Ok(Duration::from_secs(1)));
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert!(parse_duration("soon").is_err());
    }
}
