-- A second database for Rasa's tracker store, next to the backend's.
CREATE DATABASE rasa;
