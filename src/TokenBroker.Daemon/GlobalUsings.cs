global using Microsoft.Extensions.Options;
