namespace SemanticRouter.Cli.Tests.Commands;

public class ServeCommandTests
{
    [Theory]
    [InlineData("0")]
    [InlineData("-2")]
    public void IntraOpThreadsBelowOne_OneLineBadInput(string threads)
    {
        // Checked before the index is opened: the message is about the flag, not the missing index.
        var result = CliRunner.Run("serve", "--index", "/nonexistent/index", "--intra-op-threads", threads);

        CliRunner.AssertOneLineError(result, ExitCodes.BadInput, "--intra-op-threads must be at least 1");
    }
}
