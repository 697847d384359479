-- The language a person chose for the pages (lv, en, uk, ru): it follows them to every device
-- they sign in on. Empty until they choose; the browser's choice holds until then.
ALTER TABLE accounts ADD COLUMN lang TEXT;
