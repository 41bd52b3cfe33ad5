namespace TokenBroker.Cli.Tests;

public sealed class DisplayTests
{
    [Fact]
    public void A_provider_text_with_control_characters_is_made_plain()
    {
        Assert.Equal("invalid_grant: ?[31mgone?]0;title?", Display.Plain("invalid_grant: \e[31mgone\e]0;title\a"));
    }

    [Fact]
    public async Task A_table_cell_with_an_unfinished_escape_still_lines_up()
    {
        using var output = new StringWriter();

        await Display.TableAsync(output, ["A", "B"], [["x\e[3", "y"]]);

        Assert.Equal("A     B\nx\e[3  y\n", output.ToString().ReplaceLineEndings("\n"));
    }
}
