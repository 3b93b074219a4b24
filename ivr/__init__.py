"""Voice menus over FastAGI: menus as data, a pure interpreter, hours and holidays,
after-hours voicemail / callback, self-service, post-call survey and funnel logging."""
