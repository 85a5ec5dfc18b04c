//! Realtime client shared by the widget and the console (placeholder).
