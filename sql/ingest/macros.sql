-- Parsing macros shared by ingestion (row validation) and staging (typing).
-- Temporary: created on every warehouse connection, never stored in the file,
-- so a BI tool opening the warehouse needs nothing of ours.

-- A timestamp written in the source's declared format, else its date format, else ISO-8601.
CREATE OR REPLACE TEMP MACRO cdp_parse_ts(v, ts_format, date_format) AS
    COALESCE(
        try_strptime(trim(v), ts_format),
        try_strptime(trim(v), date_format),
        TRY_CAST(trim(v) AS TIMESTAMP),
        TRY_CAST(TRY_CAST(trim(v) AS TIMESTAMPTZ) AS TIMESTAMP)
    );

-- An amount with the source's decimal separator ("12,50"), spaces and currency signs tolerated.
CREATE OR REPLACE TEMP MACRO cdp_parse_amount(v, decimal_separator) AS
    TRY_CAST(
        replace(regexp_replace(trim(v), '[\s  €$£]', '', 'g'), decimal_separator, '.')
        AS DECIMAL(14, 2)
    );

-- Canonical vocabularies: the values each channel system really writes, mapped once.
CREATE OR REPLACE TEMP MACRO cdp_channel(v) AS
    CASE lower(trim(v))
        WHEN 'email' THEN 'email' WHEN 'e-mail' THEN 'email' WHEN 'mail' THEN 'email' WHEN 'courriel' THEN 'email'
        WHEN 'sms' THEN 'sms' WHEN 'mobile' THEN 'sms'
        WHEN 'phone' THEN 'phone' WHEN 'tel' THEN 'phone' WHEN 'telephone' THEN 'phone' WHEN 'téléphone' THEN 'phone'
        WHEN 'post' THEN 'post' WHEN 'postal' THEN 'post' WHEN 'courrier' THEN 'post' WHEN 'poste' THEN 'post'
        WHEN 'push' THEN 'push' WHEN 'notification' THEN 'push'
    END;

CREATE OR REPLACE TEMP MACRO cdp_consent_status(v) AS
    CASE
        WHEN lower(trim(v)) IN ('granted', 'optin', 'opt-in', 'opt_in', 'yes', 'oui', 'true', '1', 'subscribed', 'accepted')
            THEN 'granted'
        WHEN lower(trim(v)) IN ('withdrawn', 'optout', 'opt-out', 'opt_out', 'no', 'non', 'false', '0', 'unsubscribed', 'refused', 'denied')
            THEN 'withdrawn'
    END;

CREATE OR REPLACE TEMP MACRO cdp_suppression_reason(v) AS
    CASE replace(replace(lower(trim(v)), '-', '_'), ' ', '_')
        WHEN 'unsubscribe' THEN 'unsubscribe' WHEN 'unsubscribed' THEN 'unsubscribe' WHEN 'desabonnement' THEN 'unsubscribe'
        WHEN 'stop_sms' THEN 'stop_sms' WHEN 'stop' THEN 'stop_sms'
        WHEN 'hard_bounce' THEN 'hard_bounce' WHEN 'bounce' THEN 'hard_bounce'
        WHEN 'complaint' THEN 'complaint' WHEN 'spam' THEN 'complaint' WHEN 'plainte' THEN 'complaint'
        WHEN 'npai' THEN 'npai'
        WHEN 'bloctel' THEN 'bloctel'
    END;

CREATE OR REPLACE TEMP MACRO cdp_order_status(v) AS
    CASE
        WHEN v IS NULL OR trim(v) = '' THEN 'paid'
        WHEN lower(trim(v)) IN ('paid', 'payee', 'payée', 'paye', 'completed', 'complete', 'delivered', 'livree', 'livrée', 'ok', 'valide', 'validee', 'validée') THEN 'paid'
        WHEN lower(trim(v)) IN ('returned', 'retour', 'retourne', 'retourné', 'returned_full', 'refunded', 'rembourse', 'remboursé') THEN 'returned'
        WHEN lower(trim(v)) IN ('cancelled', 'canceled', 'annule', 'annulé', 'annulee', 'annulée') THEN 'cancelled'
    END;
