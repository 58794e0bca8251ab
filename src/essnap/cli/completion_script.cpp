#include "essnap/cli/completion_script.hpp"

#include <sstream>

#include "essnap/util/strings.hpp"

namespace essnap::cli {
namespace {

// The key of a command in the scripts' data: "essnap", "essnap snapshot create".
std::string key(const CommandNode& node) {
  return node.path.empty() ? "essnap" : "essnap " + node.joined_path();
}

std::string sh_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string fish_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\\' || c == '\'') out += '\\';
    out += c;
  }
  return out + "'";
}

// One line of help text: newlines and tabs become spaces.
std::string one_line(const std::string& s) {
  std::string out;
  for (char c : s) out += (c == '\n' || c == '\t' || c == '\r') ? ' ' : c;
  return std::string(util::trim(out));
}

// What a value completes to: enumerated values, a live kind, or file names.
std::string values_of(const std::vector<std::string>& choices, LiveNames live) {
  if (!choices.empty()) return util::join(choices, " ");
  if (live == LiveNames::kRepositories) return "@repositories";
  if (live == LiveNames::kSnapshots) return "@snapshots";
  return "@files";
}

// A case pattern and the value it stands for, in the order the script must test them.
struct Entry {
  std::string pattern;  // already quoted for the shell, possibly followed by a glob
  std::string value;    // the words the branch prints (unquoted)
};

// The data every engine reads, per command: which subcommands, options, value-taking options,
// enumerated values of each option, values of each positional, and descriptions.
struct Data {
  std::vector<Entry> subcommands, options, value_options, values, positionals;
  std::vector<std::string> requires_subcommand;
  // Descriptions: key -> (word, description) for subcommands and options.
  std::vector<std::pair<std::string, std::vector<std::pair<std::string, std::string>>>> subs_help,
      opts_help;
};

// `fish` matches a quoted case pattern as a glob (an unquoted * would expand file names); sh
// needs the * outside the quotes.
enum class GlobQuoting { kOutside, kInside };

Data collect_completions(const CommandNode& root, std::string (*quote)(const std::string&),
                         GlobQuoting glob) {
  Data d;
  for (const CommandNode* n : flatten(root)) {
    const std::string k = key(*n);
    std::vector<std::string> subs, opts, valued;
    std::vector<std::pair<std::string, std::string>> subs_help, opts_help;
    for (const auto& s : n->subcommands) {
      subs.push_back(s.name);
      subs_help.emplace_back(s.name, one_line(s.description));
    }
    for (const auto& o : n->options) {
      for (const auto& name : o.names) {
        opts.push_back(name);
        opts_help.emplace_back(name, one_line(o.description));
        if (o.takes_value) {
          valued.push_back(name);
          d.values.push_back({quote(k + "|" + name), values_of(o.choices, o.live)});
        }
      }
    }
    int index = 0;
    for (const auto& p : n->positionals) {
      const std::string v = values_of(p.choices, p.live);
      if (p.max < 0) {
        d.positionals.push_back(
            {glob == GlobQuoting::kInside ? quote(k + "|*") : quote(k + "|") + "*", v});
        break;
      }
      for (int i = 0; i < p.max; ++i, ++index)
        d.positionals.push_back({quote(k + "|" + std::to_string(index)), v});
    }
    if (!subs.empty()) d.subcommands.push_back({quote(k), util::join(subs, " ")});
    if (!opts.empty()) d.options.push_back({quote(k), util::join(opts, " ")});
    if (!valued.empty()) d.value_options.push_back({quote(k), util::join(valued, " ")});
    if (n->requires_subcommand) d.requires_subcommand.push_back(quote(k));
    if (!subs_help.empty()) d.subs_help.emplace_back(k, std::move(subs_help));
    if (!opts_help.empty()) d.opts_help.emplace_back(k, std::move(opts_help));
  }
  return d;
}

// ---- sh (bash and zsh) ----

// A data function: `case "$1" in 'key') echo 'words' ;; esac` (or "$1|$2" with two arguments).
void sh_case(std::ostream& out, const char* name, const char* subject,
             const std::vector<Entry>& entries) {
  out << name << "() {\n  case " << subject << " in\n";
  for (const auto& e : entries)
    out << "    " << e.pattern << ") echo " << sh_quote(e.value) << " ;;\n";
  out << "  esac\n}\n";
}

void sh_describe(
    std::ostream& out, const char* name,
    const std::vector<std::pair<std::string, std::vector<std::pair<std::string, std::string>>>>&
        help) {
  out << name << "() {\n  case \"$1\" in\n";
  for (const auto& [k, words] : help) {
    out << "    " << sh_quote(k) << ") printf '%s\\n'";
    for (const auto& [w, desc] : words) out << " \\\n      " << sh_quote(w + ":" + desc);
    out << " ;;\n";
  }
  out << "  esac\n}\n";
}

void sh_data(std::ostream& out, const Data& d) {
  sh_case(out, "__essnap_subcommands", "\"$1\"", d.subcommands);
  sh_case(out, "__essnap_options", "\"$1\"", d.options);
  sh_case(out, "__essnap_value_options", "\"$1\"", d.value_options);
  sh_case(out, "__essnap_values", "\"$1|$2\"", d.values);
  sh_case(out, "__essnap_positional", "\"$1|$2\"", d.positionals);
  out << "__essnap_requires_subcommand() {\n  case \"$1\" in\n    "
      << (d.requires_subcommand.empty() ? "''" : util::join(d.requires_subcommand, " | "))
      << ") return 0 ;;\n  esac\n  return 1\n}\n";
  sh_describe(out, "__essnap_describe_subcommands", d.subs_help);
  sh_describe(out, "__essnap_describe_options", d.opts_help);
}

// The engine, in the sh both bash and zsh run. Locals carry a prefix: zsh ties `path`,
// `options`, `commands` and `status` to special meanings.
constexpr const char* kShEngine = R"SH(
__essnap_has() {
  case " $1 " in *" $2 "*) return 0 ;; esac
  return 1
}

__essnap_parent() {
  case "$1" in *' '*) printf '%s\n' "${1% *}" ;; *) return 1 ;; esac
}

# The command ($1) or the nearest parent that declares option $2: like the parser, a flag a
# subcommand does not know falls through to its parents.
__essnap_owner() {
  local _ep="$1"
  while :; do
    if __essnap_has "$(__essnap_options "$_ep")" "$2"; then
      printf '%s\n' "$_ep"
      return 0
    fi
    _ep="$(__essnap_parent "$_ep")" || return 1
  done
}

__essnap_takes_value() {
  local _eo
  _eo="$(__essnap_owner "$1" "$2")" || return 1
  __essnap_has "$(__essnap_value_options "$_eo")" "$2"
}

# Walks the words before the cursor ("$@", the program left out) as the parser would: sets
# __essnap_cmd (the command key), __essnap_npos (positionals so far) and __essnap_valopt (the
# option whose value is under the cursor, or empty).
__essnap_walk() {
  __essnap_cmd=essnap
  __essnap_npos=0
  __essnap_valopt=
  local _ew _ei=0 _eskip=0
  for _ew in "$@"; do
    _ei=$((_ei + 1))
    if [ "$_eskip" = 1 ]; then
      _eskip=0
      continue
    fi
    case "$_ew" in
      --*=* | - | --) ;;
      -*)
        if __essnap_takes_value "$__essnap_cmd" "$_ew"; then
          if [ "$_ei" = "$#" ]; then __essnap_valopt="$_ew"; else _eskip=1; fi
        fi
        ;;
      *)
        if __essnap_has "$(__essnap_subcommands "$__essnap_cmd")" "$_ew"; then
          __essnap_cmd="$__essnap_cmd $_ew"
          __essnap_npos=0
        else
          __essnap_npos=$((__essnap_npos + 1))
        fi
        ;;
    esac
  done
}

# Prints a value list: enumerated words, or names from the cluster through the hidden
# `essnap __complete` (bounded by a short timeout, silent when there is no connection).
# Returns 1 for @files: file names fit.
__essnap_expand() {
  local _eprog="$1" _evalues="$2"
  shift 2
  case "$_evalues" in
    @files) return 1 ;;
    @repositories | @snapshots)
      "$_eprog" __complete "${_evalues#@}" -- "$@" </dev/null 2>/dev/null
      ;;
    *) printf '%s\n' "$_evalues" ;;
  esac
  return 0
}

# The candidates for the word under the cursor, whitespace-separated: $1 the program, $2 the
# word, then the words before it (the program left out). Returns 1 when file names fit too.
__essnap_candidates() {
  local _eprog="$1" _ecur="$2" _evalues _esubs _eq
  shift 2
  __essnap_walk "$@"
  if [ -n "$__essnap_valopt" ]; then
    _evalues="$(__essnap_values "$(__essnap_owner "$__essnap_cmd" "$__essnap_valopt")" "$__essnap_valopt")"
    __essnap_expand "$_eprog" "$_evalues" "$@"
    return
  fi
  case "$_ecur" in
    -*)
      _eq="$__essnap_cmd"
      while :; do
        __essnap_options "$_eq"
        _eq="$(__essnap_parent "$_eq")" || break
      done
      return 0
      ;;
  esac
  _esubs="$(__essnap_subcommands "$__essnap_cmd")"
  if [ -n "$_esubs" ]; then
    printf '%s\n' "$_esubs"
    __essnap_requires_subcommand "$__essnap_cmd" && return 0
  fi
  _evalues="$(__essnap_positional "$__essnap_cmd" "$__essnap_npos")"
  [ -z "$_evalues" ] && return 0
  __essnap_expand "$_eprog" "$_evalues" "$@"
}
)SH";

constexpr const char* kBashDriver = R"SH(
_essnap() {
  local -a _ew=()
  local _ei _ex _ejoin=0
  # bash splits --flag=value at '=' (COMP_WORDBREAKS): join the pieces back.
  for ((_ei = 1; _ei <= COMP_CWORD; _ei++)); do
    _ex="${COMP_WORDS[_ei]}"
    if ((_ejoin)); then
      _ew[${#_ew[@]} - 1]+="$_ex"
      _ejoin=0
    elif [[ $_ex == "=" && ${#_ew[@]} -gt 0 && ${_ew[${#_ew[@]} - 1]} == --* ]]; then
      _ew[${#_ew[@]} - 1]+="="
      _ejoin=1
    else
      _ew+=("$_ex")
    fi
  done
  local _ecur="${_ew[${#_ew[@]} - 1]}" _eprefix=
  unset '_ew[${#_ew[@]}-1]'
  if [[ $_ecur == --*=* ]]; then
    _ew+=("${_ecur%%=*}")
    [[ ${COMP_WORDS[COMP_CWORD]} == --*=* ]] && _eprefix="${_ecur%%=*}="
    _ecur="${_ecur#*=}"
  fi
  local _eprog="${COMP_WORDS[0]}"
  [[ $_eprog == "~/"* ]] && _eprog="$HOME/${_eprog#"~/"}"
  local _elist _erc
  _elist="$(__essnap_candidates "$_eprog" "$_ecur" "${_ew[@]}")"
  _erc=$?
  COMPREPLY=()
  local _ec
  while IFS= read -r _ec; do
    [[ -n $_ec ]] && COMPREPLY+=("$_eprefix$_ec")
  done < <(compgen -W "$_elist" -- "$_ecur")
  # File names only where a file fits (complete -o default falls back to them).
  ((_erc == 0)) && compopt +o default 2>/dev/null
  return 0
}
complete -o default -F _essnap essnap
)SH";

constexpr const char* kZshDriver = R"SH(
_essnap() {
  local _ecur="${words[CURRENT]}" _eprog="${words[1]}"
  local -a _ebefore
  _ebefore=("${(@)words[2,CURRENT-1]}")
  if [[ "$_ecur" == --*=* ]]; then
    _ebefore+=("${_ecur%%=*}")
    compset -P '*='
    _ecur="${_ecur#*=}"
  fi
  _eprog="${_eprog/#\~/$HOME}"
  local _elist _erc
  _elist="$(__essnap_candidates "$_eprog" "$_ecur" "${(@)_ebefore}")"
  _erc=$?
  __essnap_walk "${(@)_ebefore}"
  # Descriptions of the subcommands and of the options of the command and its parents.
  local -A _edesc
  local _eline _eq="$__essnap_cmd"
  while :; do
    for _eline in "${(@f)$(__essnap_describe_subcommands "$_eq"; __essnap_describe_options "$_eq")}"; do
      [[ -n "$_eline" && -z "${_edesc[${_eline%%:*}]}" ]] && _edesc[${_eline%%:*}]="${_eline#*:}"
    done
    _eq="$(__essnap_parent "$_eq")" || break
  done
  local -a _edescribed _eplain
  local _ec
  for _ec in ${=_elist}; do
    if [[ -n "$__essnap_valopt" || -z "${_edesc[$_ec]}" ]]; then
      _eplain+=("$_ec")
    else
      _edescribed+=("${_ec//:/\\:}:${_edesc[$_ec]}")
    fi
  done
  local _eret=1
  (( ${#_edescribed} )) && _describe -t essnap 'essnap' _edescribed && _eret=0
  (( ${#_eplain} )) && compadd -a _eplain && _eret=0
  if (( _erc != 0 && _eret != 0 )); then
    _files && _eret=0
  fi
  return _eret
}

if [ "$funcstack[1]" = "_essnap" ]; then
  _essnap "$@"
else
  compdef _essnap essnap
fi
)SH";

// ---- fish ----

void fish_switch(std::ostream& out, const char* name, const char* subject,
                 const std::vector<Entry>& entries) {
  out << "function " << name << "\n    switch " << subject << "\n";
  for (const auto& e : entries) {
    out << "        case " << e.pattern << "\n            printf '%s\\n'";
    for (const auto& w : util::split(e.value, ' ')) out << " " << fish_quote(std::string(w));
    out << "\n";
  }
  out << "    end\nend\n";
}

void fish_describe(
    std::ostream& out, const char* name,
    const std::vector<std::pair<std::string, std::vector<std::pair<std::string, std::string>>>>&
        help) {
  out << "function " << name << "\n    switch \"$argv[1]\"\n";
  for (const auto& [k, words] : help) {
    out << "        case " << fish_quote(k) << "\n            printf '%s\\t%s\\n'";
    for (const auto& [w, desc] : words)
      out << " \\\n                " << fish_quote(w) << " " << fish_quote(desc);
    out << "\n";
  }
  out << "    end\nend\n";
}

constexpr const char* kFishEngine = R"FISH(
function __essnap_parent --argument-names cmd
    string match -q -- '* *' $cmd; or return 1
    string replace -r -- ' [^ ]*$' '' $cmd
end

# The command or the nearest parent that declares the option (flags fall through to parents).
function __essnap_owner --argument-names cmd opt
    while true
        if contains -- $opt (__essnap_options $cmd)
            echo $cmd
            return 0
        end
        set cmd (__essnap_parent $cmd); or return 1
    end
end

function __essnap_takes_value --argument-names cmd opt
    set -l owner (__essnap_owner $cmd $opt); or return 1
    contains -- $opt (__essnap_value_options $owner)
end

function __essnap_complete
    set -l words (commandline -opc)
    set -l prog $words[1]
    set -e words[1]
    set -l cur (commandline -ct)
    set -l prefix ''
    if string match -qr -- '^--[^=]+=' $cur
        set prefix (string replace -r -- '=.*' '=' $cur)
        set -a words (string replace -r -- '=.*' '' $cur)
        set cur (string replace -r -- '^[^=]*=' '' $cur)
    end
    set -l cmd essnap
    set -l npos 0
    set -l valopt ''
    set -l n (count $words)
    set -l i 1
    while test $i -le $n
        set -l w $words[$i]
        switch $w
            case '--*=*' '-' '--'
            case '-*'
                if __essnap_takes_value $cmd $w
                    if test $i -eq $n
                        set valopt $w
                    else
                        set i (math $i + 1)
                    end
                end
            case '*'
                if contains -- $w (__essnap_subcommands $cmd)
                    set cmd "$cmd $w"
                    set npos 0
                else
                    set npos (math $npos + 1)
                end
        end
        set i (math $i + 1)
    end
    set -l values
    if test -n "$valopt"
        set values (__essnap_values (__essnap_owner $cmd $valopt) $valopt)
    else if string match -q -- '-*' $cur
        set -l q $cmd
        while true
            __essnap_describe_options $q
            set q (__essnap_parent $q); or break
        end
        return
    else
        __essnap_describe_subcommands $cmd
        __essnap_requires_subcommand $cmd; and return
        set values (__essnap_positional $cmd $npos)
    end
    switch "$values[1]"
        case ''
        case '@files'
            __fish_complete_path $cur
        case '@repositories' '@snapshots'
            for name in ($prog __complete (string sub -s 2 -- $values[1]) -- $words </dev/null 2>/dev/null)
                printf '%s%s\n' $prefix $name
            end
        case '*'
            for v in $values
                printf '%s%s\n' $prefix $v
            end
    end
end

complete -c essnap -e
complete -c essnap -f -a '(__essnap_complete)'
)FISH";

void fish_data(std::ostream& out, const Data& d) {
  fish_switch(out, "__essnap_subcommands", "\"$argv[1]\"", d.subcommands);
  fish_switch(out, "__essnap_options", "\"$argv[1]\"", d.options);
  fish_switch(out, "__essnap_value_options", "\"$argv[1]\"", d.value_options);
  fish_switch(out, "__essnap_values", "\"$argv[1]|$argv[2]\"", d.values);
  fish_switch(out, "__essnap_positional", "\"$argv[1]|$argv[2]\"", d.positionals);
  out << "function __essnap_requires_subcommand\n    contains -- \"$argv[1]\"";
  for (const auto& k : d.requires_subcommand) out << " " << k;
  out << "\nend\n";
  fish_describe(out, "__essnap_describe_subcommands", d.subs_help);
  fish_describe(out, "__essnap_describe_options", d.opts_help);
}

constexpr const char* kHeader =
    "# %s completion for essnap, generated by `essnap completion %s` from the same command\n"
    "# definitions as `essnap --help`. Repository and snapshot names complete from the cluster\n"
    "# (--url / ESSNAP_URL and the auth flags on the line) within a few seconds, or not at all.\n";

std::string header(const std::string& shell, const std::string& enable) {
  std::string h = kHeader;
  for (int i = 0; i < 2; ++i) h.replace(h.find("%s"), 2, shell);
  return h + enable;
}

}  // namespace

std::optional<Shell> parse_shell(const std::string& name) {
  if (name == "bash") return Shell::kBash;
  if (name == "zsh") return Shell::kZsh;
  if (name == "fish") return Shell::kFish;
  return std::nullopt;
}

std::string completion_script(const CommandNode& root, Shell shell) {
  std::ostringstream out;
  switch (shell) {
    case Shell::kBash:
      out << header(
          "bash",
          "#   source <(essnap completion bash)        # this shell\n"
          "#   essnap completion bash > ~/.local/share/bash-completion/completions/essnap\n");
      sh_data(out, collect_completions(root, sh_quote, GlobQuoting::kOutside));
      out << kShEngine << kBashDriver;
      break;
    case Shell::kZsh:
      out << "#compdef essnap\n"
          << header("zsh",
                    "#   source <(essnap completion zsh)         # this shell (after compinit)\n"
                    "#   essnap completion zsh > \"${fpath[1]}/_essnap\"\n");
      sh_data(out, collect_completions(root, sh_quote, GlobQuoting::kOutside));
      out << kShEngine << kZshDriver;
      break;
    case Shell::kFish:
      out << header("fish",
                    "#   essnap completion fish | source\n"
                    "#   essnap completion fish > ~/.config/fish/completions/essnap.fish\n");
      fish_data(out, collect_completions(root, fish_quote, GlobQuoting::kInside));
      out << kFishEngine;
      break;
  }
  return out.str();
}

}  // namespace essnap::cli
