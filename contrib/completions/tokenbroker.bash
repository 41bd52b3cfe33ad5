# bash completion for tokenbroker, made by `tokenbroker completions bash`.
_tokenbroker() {
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} path= words= i
    for ((i = 1; i < COMP_CWORD; i++)); do
        case "$path ${COMP_WORDS[i]}" in
            " init"|" account"|" account add"|" account list"|" account show"|" account remove"|" consent"|" status"|" token"|" refresh"|" postfix-config"|" doctor"|" backup"|" restore"|" rekey"|" reload"|" demo"|" completions") path="$path ${COMP_WORDS[i]}" ;;
        esac
    done
    case $prev in
        --admin-socket|--client-secret-file|--key-file|--postfix-dir|--state-dir|--token-file) COMPREPLY=($(compgen -f -- "$cur")); return ;;
        --authorize-url|--client-id|--device-url|--host|--issuer|--match|--port|--scope|--tenant|--token-file-group|--token-file-mode|--token-file-owner|--token-url|--username) COMPREPLY=(); return ;;
        --format) COMPREPLY=($(compgen -W 'oauthbearer raw xoauth2' -- "$cur")); return ;;
        --provider) COMPREPLY=($(compgen -W 'generic google microsoft' -- "$cur")); return ;;
    esac
    case $path in
        "") words='init account consent status token refresh postfix-config doctor backup restore rekey reload demo completions --admin-socket --help' ;;
        " init") words='--state-dir --key-file --admin-socket --help' ;;
        " account") words='add list show remove --admin-socket --help' ;;
        " account add") words='--provider --username --client-id --client-secret-file --tenant --issuer --authorize-url --token-url --device-url --scope --match --token-file --token-file-owner --token-file-group --token-file-mode --admin-socket --help' ;;
        " account list") words='--json --admin-socket --help' ;;
        " account show") words='--json --admin-socket --help' ;;
        " account remove") words='--admin-socket --help' ;;
        " consent") words='--no-browser --paste --device --admin-socket --help' ;;
        " status") words='--json --admin-socket --help' ;;
        " token") words='--format --host --port --admin-socket --help' ;;
        " refresh") words='--all --admin-socket --help' ;;
        " postfix-config") words='--postfix-dir --admin-socket --help' ;;
        " doctor") words='--json --admin-socket --help' ;;
        " backup") words='--admin-socket --help' ;;
        " restore") words='--key-file --admin-socket --help' ;;
        " rekey") words='--admin-socket --help' ;;
        " reload") words='--admin-socket --help' ;;
        " demo") words='--no-build --admin-socket --help' ;;
        " completions") words='--admin-socket --help' ;;
    esac
    case $path in
        " account remove"|" account show"|" consent"|" refresh"|" token")
            [[ $cur == -* ]] || words="$words $(tokenbroker status --json 2>/dev/null | grep -o '"name":"[^"]*"' | cut -d'"' -f4)" ;;
    esac
    COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -F _tokenbroker tokenbroker
