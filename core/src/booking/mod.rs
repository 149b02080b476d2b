//! Bookings: the record, its state machine, and how time moves it along.

mod record;
mod status;

pub use record::{Booking, CheckInTerms};
pub use status::{BookingStatus, Transition, TRANSITIONS};
