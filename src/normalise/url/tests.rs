//! Unit tests of `url`.

use super::*;

#[test]
fn homepages_lose_www_slash_fragment_port_and_tracking() {
    assert_eq!(
        canonical("https://www.Decidim.org/").unwrap(),
        "https://decidim.org"
    );
    assert_eq!(
        canonical("http://decidim.org").unwrap(),
        "http://decidim.org"
    );
    assert_eq!(
        canonical("HTTPS://Example.ORG:443/a/b/?utm_source=x&id=3&fbclid=z#top").unwrap(),
        "https://example.org/a/b?id=3"
    );
    assert_eq!(
        canonical("http://example.org:80/a/b/").unwrap(),
        "http://example.org/a/b"
    );
    assert_eq!(
        canonical("https://example.org:8443/?gclid=1&pk_campaign=x&xtor=RSS-1").unwrap(),
        "https://example.org:8443"
    );
    assert_eq!(
        canonical("https://user:pw@example.org/x?b=2&a=1").unwrap(),
        "https://example.org/x?b=2&a=1"
    );
    assert_eq!(
        canonical("//example.org/x").unwrap(),
        "https://example.org/x"
    );
    assert_eq!(
        canonical("decidim.org/x/").unwrap(),
        "https://decidim.org/x"
    );
}

#[test]
fn a_directorys_index_page_is_the_directory() {
    assert_eq!(
        canonical("https://gaia-gis.it/fossil/libspatialite/index").unwrap(),
        "https://gaia-gis.it/fossil/libspatialite"
    );
    assert_eq!(
        canonical("http://www.example.org/index.html").unwrap(),
        "http://example.org"
    );
    assert_eq!(
        canonical("https://example.org/docs/INDEX.PHP?lang=en").unwrap(),
        "https://example.org/docs?lang=en"
    );
    assert_eq!(
        canonical("https://example.org/indexes").unwrap(),
        "https://example.org/indexes"
    );
}

#[test]
fn forge_owner_pages_name_their_owner() {
    assert_eq!(
        forge_owner("https://github.com/usdot-jpo-ode"),
        Some("usdot-jpo-ode")
    );
    assert_eq!(
        forge_owner("https://gitlab.com/etalab-datalab"),
        Some("etalab-datalab")
    );
    assert_eq!(forge_owner("https://github.com/decidim/decidim"), None);
    assert_eq!(
        forge_owner("https://github.com/topics"),
        None,
        "a reserved page"
    );
    assert_eq!(forge_owner("https://github.com"), None);
    assert_eq!(
        forge_owner("https://decidim.org/about"),
        None,
        "not a forge"
    );
    // Every owner page canonicalises to such a URL.
    let canonical_owner = canonical("http://www.github.com/orgs/SSAgov/repositories").unwrap();
    assert_eq!(forge_owner(&canonical_owner), Some("ssagov"));
}

#[test]
fn github_urls_reduce_to_the_project_root() {
    for u in [
        "github.com/decidim/decidim.git",
        "http://github.com/decidim/decidim",
        "https://github.com/Decidim/Decidim/tree/develop/docs",
        "https://www.github.com/decidim/decidim/",
        "https://github.com/decidim/decidim/issues/12?utm_source=x#c",
        "git+https://github.com/decidim/decidim.git",
        "https://github.com:443/decidim/decidim/blob/main/README.md",
    ] {
        let got = canonical(u.strip_prefix("git+").unwrap_or(u)).unwrap();
        assert_eq!(got, "https://github.com/decidim/decidim", "{u}");
    }
    assert_eq!(
        canonical("https://github.com/orgs/Decidim/repositories").unwrap(),
        "https://github.com/decidim"
    );
}

#[test]
fn gitlab_and_self_hosted_gitlab_keep_the_group_path() {
    assert_eq!(
        canonical("https://gitlab.com/group/sub/project/-/tree/main").unwrap(),
        "https://gitlab.com/group/sub/project"
    );
    assert_eq!(
        canonical("http://gitlab.com/Group/Project.git").unwrap(),
        "https://gitlab.com/group/project"
    );
    assert_eq!(
        canonical("https://gitlab.com/group/project/issues/3").unwrap(),
        "https://gitlab.com/group/project"
    );
    assert_eq!(
        canonical("http://gitlab.adullact.net/democratie/app/-/blob/main/x.md").unwrap(),
        "https://gitlab.adullact.net/democratie/app"
    );
    assert_eq!(
        canonical("https://framagit.org/framasoft/framadate/framadate/-/issues").unwrap(),
        "https://framagit.org/framasoft/framadate/framadate"
    );
    // an unknown host is a GitLab when its path holds `/-/`
    assert_eq!(
        canonical("https://git.example.gouv.fr/dnum/outil/-/merge_requests/4").unwrap(),
        "https://git.example.gouv.fr/dnum/outil"
    );
}

#[test]
fn other_forges_reduce_to_owner_and_repo() {
    let cases = [
        (
            "https://bitbucket.org/Owner/Repo/src/master/",
            "https://bitbucket.org/owner/repo",
        ),
        (
            "http://codeberg.org/forgejo/forgejo/src/branch/forgejo/README.md",
            "https://codeberg.org/forgejo/forgejo",
        ),
        (
            "https://gitea.example.org/a/b.git",
            "https://gitea.example.org/a/b",
        ),
        (
            "https://git.sr.ht/~sircmpwn/scdoc/tree",
            "https://git.sr.ht/~sircmpwn/scdoc",
        ),
    ];
    for (u, want) in cases {
        assert_eq!(canonical(u).unwrap(), want, "{u}");
    }
}

#[test]
fn forge_projects_need_an_owner_and_a_repository() {
    assert!(is_forge_project("https://github.com/decidim/decidim"));
    assert!(is_forge_project("https://gitlab.com/a/b/c"));
    assert!(is_forge_project("https://gitlab.example.org/a/b"));
    assert!(is_forge_project("https://git.sr.ht/~a/b"));
    assert!(!is_forge_project("https://github.com/decidim"));
    assert!(!is_forge_project("https://github.com/topics/civic-tech"));
    assert!(!is_forge_project("https://decidim.org/x/y"));
    assert!(!is_forge_project("https://gitlab.io/a/b"));
}

#[test]
fn shared_hosts_keep_their_path_and_are_flagged() {
    assert_eq!(
        canonical("https://OpenSource-Politics.github.io/Decidim-Guide/").unwrap(),
        "https://opensource-politics.github.io/Decidim-Guide"
    );
    assert_ne!(
        canonical("https://sites.google.com/view/tool-a").unwrap(),
        canonical("https://sites.google.com/view/tool-b").unwrap()
    );
    for u in [
        "https://user.github.io/project",
        "https://user.github.io",
        "https://sites.google.com/view/x",
        "https://monprojet.wordpress.com",
        "https://monprojet.blogspot.com/p/a.html",
        "https://monprojet.blogspot.fr",
        "https://asso.frama.site",
        "https://my-app.netlify.app",
        "https://my-app.herokuapp.com",
        "https://github.com/decidim",
        "https://gitlab.com/a/b",
        "www.wordpress.com",
    ] {
        assert!(is_shared_host(u), "{u}");
    }
    for u in [
        "https://decidim.org",
        "https://notgithub.io",
        "https://github.io.example.org",
        "https://opendata.gouv.fr/x",
    ] {
        assert!(!is_shared_host(u), "{u}");
    }
}

#[test]
fn canonical_is_idempotent() {
    let inputs = [
        "https://www.example.org/x/?utm_medium=a",
        "github.com/a/b.git",
        "https://a.test",
        "https://a.test/?",
        "https://a.test/?x=1",
        "http://a.test:8080/p/q/#f",
        "https://git.example.org/g/s/p/-/tree/main",
        "https://gitlab.com/g/p/tree/x",
        "https://user.github.io/Proj/",
        "https://github.com/orgs/a",
        "https://bücher.example/ä b",
        "https://[::1]:8080/x/",
        "https://example.org/a%20b/?q=a+b&utm_x=1",
        "https://sites.google.com/view/x/home/",
        "https://example.org/-/x",
        "https://github.com",
    ];
    let hosts = [
        "example.org",
        "github.com",
        "gitlab.test.org",
        "x.github.io",
    ];
    let paths = ["", "/", "/a", "/a/b/", "/a/-/b", "/a/b/c/tree/d", "/A.git"];
    let queries = ["", "?", "?a=1", "?utm_source=x", "?a=1&fbclid=2&b"];
    let mut all: Vec<String> = inputs.iter().map(|s| s.to_string()).collect();
    for scheme in ["http://", "https://", ""] {
        for h in hosts {
            for p in paths {
                for q in queries {
                    all.push(format!("{scheme}{h}{p}{q}#frag"));
                    all.push(format!("{scheme}www.{h}{p}{q}"));
                }
            }
        }
    }
    for u in all {
        let Ok(once) = canonical(&u) else {
            continue;
        };
        assert_eq!(canonical(&once).unwrap(), once, "{u}");
        assert_eq!(
            is_forge_project(&once),
            is_forge_project(&canonical(&once).unwrap())
        );
    }
}

#[test]
fn non_urls_are_rejected() {
    assert!(canonical("not a url").is_err());
    assert!(canonical("ftp://x.test/").is_err());
    assert!(canonical("mailto:a@b.test").is_err());
    assert!(canonical("N/A").is_err());
    assert!(canonical("v1.2").is_err());
    assert!(canonical("").is_err());
}

#[test]
fn urls_are_found_in_prose() {
    assert_eq!(
        find_urls("https://github.com/a/web, https://github.com/a/app and https://gitlab.com/b/c."),
        [
            "https://github.com/a/web",
            "https://github.com/a/app",
            "https://gitlab.com/b/c"
        ]
    );
    assert_eq!(
        find_urls("Code: (https://github.com/a/b)"),
        ["https://github.com/a/b"]
    );
}
