using System.CommandLine;
using System.CommandLine.Completions;
using System.Text;

namespace TokenBroker.Cli;

/// <summary>
/// Shell completion scripts made from the CLI's own command tree, so they never drift from it:
/// commands, options, the fixed values of an option, files for other option values, and account
/// names (from <c>tokenbroker status --json</c>) where a command takes one.
/// </summary>
internal static class Completions
{
    /// <summary>The commands whose argument is an account name.</summary>
    private static readonly HashSet<string> TakesAccount = ["consent", "token", "refresh", "account show", "account remove"];

    public static Command Create(RootCommand root)
    {
        var shell = new Argument<string>("SHELL") { Description = "bash, zsh or fish" };
        shell.AcceptOnlyFromAmong("bash", "zsh", "fish");
        var command = new Command("completions", "Print the shell completion script (contrib/completions holds the same files)") { shell };
        command.SetAction(result => result.InvocationConfiguration.Output.Write(result.GetValue(shell) switch
        {
            "bash" => Bash(root),
            "zsh" => Zsh(root),
            _ => Fish(root),
        }));
        return command;
    }

    public static string Bash(RootCommand root) => "# bash completion for tokenbroker, made by `tokenbroker completions bash`.\n" + BashFunction(root);

    /// <summary>The bash function run by zsh's bash emulation.</summary>
    public static string Zsh(RootCommand root) =>
        "#compdef tokenbroker\n# zsh completion for tokenbroker, made by `tokenbroker completions zsh`: the bash completion through bashcompinit.\n"
        + "autoload -U +X bashcompinit && bashcompinit\n" + BashFunction(root);

    public static string Fish(RootCommand root)
    {
        var text = new StringBuilder("# fish completion for tokenbroker, made by `tokenbroker completions fish`.\n")
            .Append("function __tokenbroker_accounts\n    tokenbroker status --json 2>/dev/null | string match -a -r -g '\"name\":\"([^\"]*)\"'\nend\n")
            .Append("complete -c tokenbroker -f\n");
        foreach (var (path, command) in Walk(root, []))
        {
            var seen = path.Length == 0 ? "__fish_use_subcommand" : string.Join("; and ", path.Select(p => $"__fish_seen_subcommand_from {p}"));
            var children = Subcommands(command).ToList();
            var before = path.Length == 0 ? seen : $"{seen}; and not __fish_seen_subcommand_from {string.Join(' ', children.Select(c => c.Name))}";
            foreach (var child in children)
            {
                text.Append($"complete -c tokenbroker -n '{before}' -a {child.Name} -d {Quote(child.Description)}\n");
            }

            foreach (var option in Options(root, command))
            {
                var values = Values(option);
                var argument = option.ValueType == typeof(bool) ? string.Empty
                    : values.Count > 0 ? $" -x -a {Quote(string.Join(' ', values))}"
                    : IsPath(option) ? " -r -F"
                    : " -x";
                text.Append($"complete -c tokenbroker -n '{seen}' -l {option.Name.TrimStart('-')}{argument} -d {Quote(option.Description)}\n");
            }

            if (TakesAccount.Contains(string.Join(' ', path)))
            {
                text.Append($"complete -c tokenbroker -n '{seen}' -a '(__tokenbroker_accounts)'\n");
            }
        }

        return text.ToString();
    }

    private static string BashFunction(RootCommand root)
    {
        var commands = Walk(root, []).ToList();
        var text = new StringBuilder()
            .Append("_tokenbroker() {\n")
            .Append("    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} path= words= i\n")
            .Append("    for ((i = 1; i < COMP_CWORD; i++)); do\n")
            .Append("        case \"$path ${COMP_WORDS[i]}\" in\n")
            .Append($"            {string.Join('|', commands.Where(c => c.Path.Length > 0).Select(c => $"\" {string.Join(' ', c.Path)}\""))}) path=\"$path ${{COMP_WORDS[i]}}\" ;;\n")
            .Append("        esac\n    done\n    case $prev in\n");
        // Options that take a value: their fixed values, files for a path, nothing for free text.
        var valued = commands.SelectMany(c => Options(root, c.Command)).Where(o => o.ValueType != typeof(bool)).DistinctBy(o => o.Name).OrderBy(o => o.Name, StringComparer.Ordinal);
        foreach (var group in valued.GroupBy(o => Values(o) is { Count: > 0 } values ? $"compgen -W '{string.Join(' ', values)}' -- \"$cur\"" : IsPath(o) ? "compgen -f -- \"$cur\"" : string.Empty))
        {
            var reply = group.Key.Length == 0 ? "COMPREPLY=()" : $"COMPREPLY=($({group.Key}))";
            text.Append($"        {string.Join('|', group.Select(o => o.Name))}) {reply}; return ;;\n");
        }

        text.Append("    esac\n    case $path in\n");
        foreach (var (path, command) in commands)
        {
            var words = Subcommands(command).Select(c => c.Name).Concat(Options(root, command).Select(o => o.Name)).Append("--help");
            text.Append($"        \"{(path.Length == 0 ? string.Empty : " " + string.Join(' ', path))}\") words='{string.Join(' ', words)}' ;;\n");
        }

        text.Append("    esac\n    case $path in\n")
            .Append($"        {string.Join('|', TakesAccount.Order(StringComparer.Ordinal).Select(p => $"\" {p}\""))})\n")
            .Append("            [[ $cur == -* ]] || words=\"$words $(tokenbroker status --json 2>/dev/null | grep -o '\"name\":\"[^\"]*\"' | cut -d'\"' -f4)\" ;;\n")
            .Append("    esac\n    COMPREPLY=($(compgen -W \"$words\" -- \"$cur\"))\n}\ncomplete -F _tokenbroker tokenbroker\n");
        return text.ToString();
    }

    private static IEnumerable<(string[] Path, Command Command)> Walk(Command command, string[] path)
    {
        yield return (path, command);
        foreach (var child in Subcommands(command))
        {
            foreach (var nested in Walk(child, [.. path, child.Name]))
            {
                yield return nested;
            }
        }
    }

    private static IEnumerable<Command> Subcommands(Command command) => command.Subcommands.Where(c => !c.Hidden);

    /// <summary>A command's own options and the root's recursive ones, without help and version.</summary>
    private static IEnumerable<Option> Options(RootCommand root, Command command) =>
        command.Options.Concat(command == root ? [] : root.Options.Where(o => o.Recursive))
            .Where(o => !o.Hidden && o.Name is not ("--help" or "--version"))
            .DistinctBy(o => o.Name);

    private static List<string> Values(Option option) =>
        option.ValueType == typeof(bool) ? [] : [.. option.GetCompletions(CompletionContext.Empty).Select(c => c.Label)];

    private static bool IsPath(Option option) =>
        option.ValueType == typeof(FileInfo) || option.Name.EndsWith("-file", StringComparison.Ordinal) || option.Name.EndsWith("-dir", StringComparison.Ordinal) || option.Name.EndsWith("-socket", StringComparison.Ordinal);

    private static string Quote(string? text) => $"'{(text ?? string.Empty).Replace("'", "\\'", StringComparison.Ordinal)}'";
}
