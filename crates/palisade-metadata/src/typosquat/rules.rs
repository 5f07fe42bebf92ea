use palisade_core::{Category, RuleInfo, Severity};

pub static TYPOSQUAT: RuleInfo = RuleInfo {
    id: "name/typosquat",
    category: Category::Metadata,
    severity: Severity::Medium,
    summary: "The name is a typo of a popular package's name (an edit, a swapped pair, a \
              neighbouring key, a changed separator, a flattened npm scope).",
    why: "Typosquats wait for someone to mistype or misremember a popular name; installing \
          one by mistake runs its code with the installer's rights. Honest packages rarely \
          choose a name one keystroke from a famous one.",
    example: "`reqeusts` is one transposition from `requests` (PyPI rank 6)",
    attack: Some("T1195.002"),
};

pub static LOOKALIKE: RuleInfo = RuleInfo {
    id: "name/lookalike",
    category: Category::Metadata,
    severity: Severity::High,
    summary: "The name reads as a popular package's name through lookalike characters \
              (`rn` for `m`, `1` for `l`, `0` for `o`, Cyrillic or fullwidth letters).",
    why: "A lookalike spelling is made to pass a reader's eye, in a review of a lockfile or \
          a copied install command; there is no honest reason to spell a name so that it \
          reads as a famous one.",
    example: "`co1orama` is one lookalike character from `colorama`",
    attack: Some("T1036"),
};

pub static AFFIX_SQUAT: RuleInfo = RuleInfo {
    id: "name/affix-squat",
    category: Category::Metadata,
    severity: Severity::Low,
    summary: "The name is a popular package's name with a common prefix or suffix added or \
              dropped (`python-`, `py`, `node-`, `-js`, `-dev`, `-sdk`, `2`...).",
    why: "Squatters take the names people guess for a popular package (`dateutil` for \
          `python-dateutil`, `discord.js-selfbot`). Many honest plugins are named this \
          way too, so this is a hint to check the publisher, not a verdict.",
    example: "`discord.js-selfbot` is `-selfbot` added to `discord.js`",
    attack: Some("T1195.002"),
};

pub static SCOPE_COPY: RuleInfo = RuleInfo {
    id: "name/scope-copy",
    category: Category::Metadata,
    severity: Severity::Low,
    summary: "A scoped npm package reuses the exact name of a popular unscoped package.",
    why: "`@someone/lodash` can be mistaken for the real `lodash`, or for an official \
          build of it; forks are named so honestly too, so check who publishes it.",
    example: "`@acme-utils/lodash` reuses the name of `lodash` (npm rank 40)",
    attack: Some("T1036"),
};
