//! Unit tests of name normalisation, identities and name evidence.

use super::words::{DESCRIPTION_NOISE, VARIANT_WORDS, VENDORS};
use super::*;

#[test]
fn names_fold_case_accents_and_noise_words() {
    assert_eq!(normalise_name("Decidim App"), "decidim");
    assert_eq!(normalise_name("decidim-app"), "decidim");
    assert_eq!(normalise_name("Démocratie  Ouverte!"), "democratie ouverte");
    assert_eq!(normalise_name("The App"), "the app");
    assert_eq!(normalise_name("Framadate (logiciel)"), "framadate");
    assert_eq!(normalise_name("LibreOffice en ligne"), "libreoffice online");
    assert_eq!(normalise_name("LibreOffice Online"), "libreoffice online");
    assert_eq!(normalise_name("En ligne"), "online");
    assert_eq!(normalise_name("Consulta en línea"), "consulta online");
    assert_eq!(normalise_name("Matomo (ex-Piwik)"), "matomo");
    assert_eq!(
        normalise_name("Mozilla Firefox (Extended Support Release)"),
        "mozilla firefox"
    );
    assert_eq!(
        normalise_name("(Reports)"),
        "reports",
        "nothing outside brackets"
    );
    assert_eq!(normalise_name("S²LOW"), "s2low");
    assert_eq!(org_tag("mySociety Ltd."), org_tag("MYSOCIETY-LTD"));
    assert_eq!(
        org_tag("mySociety"),
        org_tag("mySociety Ltd."),
        "legal form"
    );
    assert_eq!(org_tag("Moodle Pty Ltd"), org_tag("moodle"));
    assert_eq!(
        org_tag("Ayuntamiento de Madrid"),
        org_tag("AyuntamientoMadrid"),
        "grammar words and spaces"
    );
    assert_ne!(org_tag("mySociety"), org_tag("mySociety Foundation"));
    assert_eq!(
        org_tag("The Ltd"),
        org_tag("the-ltd"),
        "nothing but noise: kept"
    );
    assert_eq!(org_tag("Société"), org_tag("societe"));
    assert_eq!(org_tag(" - "), None);
}

#[test]
fn blocking_keys_take_both_ends() {
    let [p, s] = blocking_keys("decidim");
    assert_eq!(blocking_keys("deci mal")[0], p, "same first four letters");
    assert_eq!(blocking_keys("pro cidim")[1], s, "same last four letters");
    assert_eq!(blocking_keys("dec idim"), [p, s], "spaces do not count");
    assert_ne!(blocking_keys("decimal")[1], s);
    let [p2, s2] = blocking_keys("ab");
    assert_ne!(p2, s2, "prefix and suffix keys never meet");
    assert_ne!(blocking_keys("abc")[0], blocking_keys("abcd")[0]);
}

#[test]
fn a_name_alone_never_merges() {
    let none = Evidence::default();
    assert_eq!(score("vote", "vote", none), None);
    let org = Evidence {
        org_agree: true,
        ..none
    };
    assert!(score("vote", "vote", org).is_some());
    assert!(score("decidim", "decidm", org).is_some());
    assert_eq!(score("lyon open data", "lyon open budget", org), None);
    assert!(score("participatory budgetting", "participatory budgeting", org).is_some());
    let against = Evidence {
        org_agree: true,
        host_disagree: true,
        ..none
    };
    assert_eq!(score("vote", "vote", against), None);
}

#[test]
fn word_lists_are_sorted_for_binary_search() {
    for list in [
        GENERIC,
        DESCRIPTORS,
        ORG_NOISE,
        DESCRIPTION_NOISE,
        VARIANT_WORDS,
        VENDORS,
    ] {
        assert!(
            list.windows(2).all(|w| w[0] < w[1]),
            "{:?}",
            list.windows(2).find(|w| w[0] >= w[1])
        );
    }
}

#[test]
fn identities_run_words_together_and_drop_descriptors() {
    let id = |n: &str| identity(&normalise_name(n)).unwrap();
    assert_eq!(id("Rocket.Chat").text, "rocketchat");
    assert_eq!(id("Rocketchat").text, id("rocket-chat").text);
    assert_eq!(id("Moodle LMS").text, "moodle");
    assert_eq!(id("7-Zip").text, id("7zip").text);
    assert_eq!(id("The Gimp").text, id("GIMP").text);
    assert_eq!(id("LMS").text, "lms", "a descriptor alone is kept");
    assert_eq!(id("KeePass 2").text, "keepass", "a version");
    assert_eq!(id("Firefox ESR").text, "firefox");
    assert_eq!(id("7").text, "7");
    assert_ne!(id("LibreOffice en ligne").text, id("LibreOffice").text);
    assert!(!id("Ansible").generic);
    assert!(!id("Budget participatif de Paris").generic);
    for generic in [
        "Vote",
        "Open Data Portal",
        "Budget participatif",
        "Consulta ciudadana",
        "Petitions 2",
        "Mon budget",
    ] {
        assert!(id(generic).generic, "{generic}");
    }
    assert_eq!(identity(""), None);
}

#[test]
fn licences_agree_on_their_family() {
    let agree = |a: &str, b: &str| license_agreement(Some(a), Some(b));
    assert_eq!(agree("GPL-2.0-only", "GPL-3.0-or-later"), Some(true));
    assert_eq!(agree("GPL-2.0+", "GPL-2.0-only"), Some(true));
    assert_eq!(agree("MIT OR Apache-2.0", "Apache-2.0"), Some(true));
    assert_eq!(
        agree("GPL-3.0-only WITH Classpath-exception-2.0", "GPL-2.0-only"),
        Some(true)
    );
    assert_eq!(agree("AGPL-3.0-only", "GPL-3.0-only"), Some(false));
    assert_eq!(agree("BSD-3-Clause", "BSD-2-Clause"), Some(true));
    assert_eq!(agree("CECILL-B", "CECILL-2.1"), Some(false));
    assert_eq!(agree("MIT", "EUPL-1.2"), Some(false));
    assert_eq!(license_agreement(None, Some("MIT")), None);
}

#[test]
fn descriptions_agree_when_they_share_enough_words_and_differ_when_none() {
    assert_eq!(
        descriptions_agree(
            "Moodle is a free learning management system for online courses.",
            "A learning management system (LMS) to run online courses, free and open source."
        ),
        Some(true)
    );
    assert_eq!(
        descriptions_agree(
            "Service mesh and service discovery for distributed systems.",
            "Plateforme de participation citoyenne pour les villes."
        ),
        Some(false)
    );
    assert_eq!(
        descriptions_agree("Free software.", "Free software."),
        None,
        "too few words"
    );
    assert_eq!(
        descriptions_agree("webconférence", "Outils VisoConférence"),
        None
    );
}

#[test]
fn hosts_carry_a_name_they_contain() {
    assert!(host_carries("moodle.org", "moodle"));
    assert!(host_carries("umap.openstreetmap.fr", "umap"));
    assert!(host_carries("rocket.chat", "rocketchat"));
    assert!(host_carries("open-hospital.org", "openhospital"));
    assert!(host_carries("www.keycloak.org:8443", "keycloak"));
    assert!(host_carries("joinmobilizon.org", "mobilizon"));
    assert!(host_carries("vaultproject.io", "vault"));
    assert!(!host_carries("getconsul.example", "consuldemocracy"));
    assert!(!host_carries("webservices.archive.org", "vault"));
    assert!(!host_carries("digital.gov", "go"), "too short to tell");
}

#[test]
fn related_names_contain_each_other() {
    assert!(related("consul", "hashicorp consul"));
    assert!(related("fec", "fec api"));
    assert!(related("decidim", "decidm"));
    assert!(!related("science gateway", "grant tracker"));
    assert!(!related("openhim", "blood safety information system"));
}

#[test]
fn name_only_points_weigh_length_and_evidence() {
    let long = NameOnly {
        len: 7,
        ..NameOnly::default()
    };
    assert!(name_only_points(long) >= NAME_ONLY_MIN);
    let short = NameOnly {
        len: 3,
        ..NameOnly::default()
    };
    assert!(name_only_points(short) < NAME_ONLY_MIN);
    let short_licensed = NameOnly {
        license: Some(true),
        ..short
    };
    assert!(name_only_points(short_licensed) >= NAME_ONLY_MIN);
    let against = NameOnly {
        orgs: Some(false),
        ..long
    };
    assert!(name_only_points(against) < NAME_ONLY_MIN);
    let moved = name_only_points(long) - HOST_CLASH_PENALTY;
    assert!(
        moved >= NAME_ONLY_MIN - 1e-9,
        "a different homepage alone does not stop a long name"
    );
    let licences = NameOnly {
        license: Some(false),
        ..long
    };
    assert!(name_only_points(licences) - HOST_CLASH_PENALTY < NAME_ONLY_MIN);
}

#[test]
fn an_organisation_names_its_products() {
    assert_eq!(org_products("LimeSurvey GmbH"), ["limesurvey"]);
    assert_eq!(
        org_products("MediaWiki (Wikimedia Foundation)"),
        ["mediawiki", "wikimediafoundation"]
    );
    assert_eq!(org_products("Synacor (Zimbra)"), ["synacor", "zimbra"]);
    assert!(org_products("The Open Data Company").is_empty(), "generic");
    assert_eq!(
        identity(&normalise_name("QGis Desktop"))
            .map(|i| i.text)
            .as_deref(),
        Some("qgis")
    );
}

#[test]
fn package_ids_and_services_name_their_product() {
    assert_eq!(former_names("Bandisoft.Bandizip"), ["bandizip"]);
    assert_eq!(former_names("Insecure.Nmap"), ["nmap"]);
    assert_eq!(former_names("TortoiseSVN.TortoiseSVN"), ["tortoisesvn"]);
    for name in [
        "Rocket.Chat",
        "Node.js",
        "Socket.IO",
        "ASP.NET",
        "org.gnome.Maps",
    ] {
        assert!(former_names(name).is_empty(), "{name}");
    }
    assert_eq!(
        former_names("LocalGov Drupal Hosting and Support"),
        ["localgovdrupal"]
    );
    assert_eq!(
        former_names("Umbraco CMS Hosting, Support and Development"),
        ["umbraco"]
    );
    assert_eq!(
        former_names("Liferay DXP Implementation and Managed Service"),
        ["liferaydxp"]
    );
    // A name that is only service words, or one word and a service, keeps itself.
    assert!(former_names("Managed Hosting").is_empty());
    assert!(former_names("Drupal Hosting").is_empty());
}

#[test]
fn a_distributions_component_packages_name_their_project() {
    let id = |n: &str| identity(&normalise_name(n)).map(|i| i.text);
    for (component, project) in [
        ("hledger-lib", "hledger"),
        ("etcd-ctl", "etcd"),
        ("libreoffice-common", "libreoffice"),
        ("samba-doc", "samba"),
    ] {
        assert_eq!(id(component), id(project), "{component}");
    }
    // A command-line client and an agent are products of their own.
    assert_ne!(id("keyoxide-cli"), id("keyoxide"));
    assert_ne!(id("nextcloud-client"), id("nextcloud"));
}

#[test]
fn a_makers_word_before_a_product_of_two_words_names_the_product() {
    assert_eq!(former_names("Veritas Backup Exec"), ["backupexec"]);
    // One word left once descriptors and versions are aside: a maker's line, not a product.
    assert!(former_names("Perforce Helix Core").is_empty());
    assert!(former_names("Pardus ETAP 23").is_empty());
    // A generic first word is no maker.
    assert!(former_names("Open Data Portal").is_empty());
}

#[test]
fn former_names_are_read_from_brackets() {
    assert_eq!(former_names("Matomo (ex-Piwik)"), ["piwik"]);
    assert_eq!(former_names("HedgeDoc (formerly CodiMD)"), ["codimd"]);
    assert_eq!(former_names("Démarches (anciennement TPS)"), ["tps"]);
    assert!(former_names("Framadate (logiciel)").is_empty());
    assert!(
        former_names("Vote (ex-Vote)").is_empty(),
        "a generic former name"
    );
}

#[test]
fn the_site_of_a_host_is_its_registered_part() {
    assert_eq!(site_of("meta.decidim.org"), "decidim.org");
    assert_eq!(site_of("decidim.org"), "decidim.org");
    assert_eq!(site_of("www.data.gouv.fr"), "data.gouv.fr");
    assert_eq!(site_of("app.example.co.uk"), "example.co.uk");
    assert_eq!(site_of("localhost"), "localhost");
    assert_eq!(site_of("a.b.example.com:8080"), "example.com");
}

#[test]
fn versions_are_read_past_descriptors() {
    let words = |n: &str| identity_words(&normalise_name(n)).concat();
    assert_eq!(words("Zabbix 6.0 LTS"), "zabbix");
    assert_eq!(words("Zabbix 5.0 LTS"), "zabbix");
    assert_eq!(words("KeePass 2"), "keepass");
    assert_eq!(words("Windows Server 2019"), "windows");
    assert_eq!(
        words("7-Zip"),
        "7zip",
        "a leading number is part of the name"
    );
    assert_eq!(words("2048"), "2048", "a number alone stays");
    let version = |n: &str| trailing_version(&normalise_name(n)).map(str::to_string);
    assert_eq!(version("Zabbix 6.0 LTS").as_deref(), Some("6 0"));
    assert_eq!(version("Zabbix 5.0 LTS").as_deref(), Some("5 0"));
    assert_eq!(version("KeePass 2").as_deref(), Some("2"));
    assert_eq!(version("Moodle LMS"), None);
    assert_eq!(version("2048"), None);
}

#[test]
fn package_ids_and_glued_versions_normalise_to_the_name() {
    assert_eq!(normalise_name("org.openchemistry.Avogadro2"), "avogadro 2");
    assert_eq!(normalise_name("com.github.qarmin.czkawka"), "czkawka");
    assert_eq!(normalise_name("Rocket.Chat"), "rocket chat");
    assert_eq!(normalise_name("Node.js"), "node js");
    assert_eq!(normalise_name("python-shapely"), "shapely");
    assert_eq!(normalise_name("py311-pyscf"), "pyscf");
    assert_eq!(normalise_name("science/py-ase"), "ase");
    assert_eq!(normalise_name("python"), "python");
    assert_eq!(normalise_name("Python-Markdown"), "python markdown");
    assert_eq!(normalise_name("perl5.38.2-Mojolicious"), "mojolicious");
    assert_eq!(normalise_name("python3.12-mne"), "mne");
    assert_eq!(normalise_name("perl-Foo"), "perl foo");
    assert_eq!(normalise_name("nexus3"), "nexus 3");
    assert_eq!(normalise_name("一太郎2024"), "一太郎 2024");
    assert_eq!(normalise_name("php83"), "php 83");
    assert_eq!(normalise_name("mysql8-server"), "mysql 8 server");
    assert_eq!(normalise_name("mp3"), "mp3");
    assert_eq!(normalise_name("html5"), "html5");
    assert_eq!(normalise_name("drupal/core"), "drupal");
    assert_eq!(normalise_name("laravel/framework"), "laravel");
    assert_eq!(normalise_name("bitnami/redis"), "redis");
    assert_eq!(
        normalise_name("org.junit.jupiter:junit-jupiter"),
        "junit jupiter"
    );
    assert_eq!(normalise_name("junit:junit"), "junit");
    assert_eq!(normalise_name("psi4"), "psi4");
    assert_eq!(normalise_name("log4j"), "log4j");
}

#[test]
fn central_european_letters_fold_in_tool_names() {
    assert_eq!(normalise_name("Portál občana"), "portal obcana");
    assert_eq!(normalise_name("Rezervační systém"), "rezervacni system");
    assert_eq!(normalise_name("Łódź Łączy"), "lodz laczy");
    assert_eq!(normalise_name("Hőmérő"), "homero");
    assert_eq!(normalise_name("Țară"), "tara");
}

#[test]
fn acronyms_in_brackets_and_heads_before_a_dash_are_other_names() {
    assert_eq!(
        former_names("LTSP (Linux Terminal Server Project)"),
        vec!["linuxterminal".to_string()]
    );
    assert_eq!(
        former_names("Linux Terminal Server Project (LTSP)"),
        vec!["ltsp".to_string()]
    );
    assert_eq!(
        former_names("HumHub – intranet Vřesnet"),
        vec!["humhub".to_string()]
    );
    assert_eq!(
        former_names("Wagtail CMS - Managed Hosting"),
        vec!["wagtail".to_string()]
    );
    assert!(former_names("Budget participatif - Ville de Paris").is_empty());
    assert!(former_names("Framadate (logiciel)").is_empty());
    assert_eq!(
        former_names("eVaka: Open-Source Early Childhood Education Management"),
        vec!["evaka".to_string()]
    );
    assert!(
        former_names("Swift (OpenStack)").is_empty(),
        "a bracket may name the parent project"
    );
}
