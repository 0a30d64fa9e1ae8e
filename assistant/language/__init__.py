"""Input the assistant cannot serve: junk (code, SQL, markup, keyboard mashing, only symbols) and other languages.

``screening.screen`` is the one entry point (actions and the Rasa channel alike); it needs only the
standard library and lingua-language-detector, so it also runs outside the app's environment.
"""
