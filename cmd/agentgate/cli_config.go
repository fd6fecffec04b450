package main

import (
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"
)

// newConfigCmd is `agentgate config`: the command-line client's settings file.
func newConfigCmd(getenv env, io stdio) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Show or change the command-line client's settings (~/.agentgate/config.json)",
		Long: "The client reads serverUrl, apiKey and outputFormat from ~/.agentgate/config.json.\n" +
			"AGENTGATE_URL and AGENTGATE_API_KEY, when set, override the file.",
	}
	var asJSON bool
	show := &cobra.Command{
		Use:   "show",
		Short: "Show the effective settings and where each comes from (the API key masked)",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			s, path, err := loadSettings(getenv)
			if err != nil {
				return err
			}
			if asJSON || s.get(keyOutputFormat) == "json" {
				return printJSON(io.out, map[string]string{
					"configFile": path, keyServerURL: s.get(keyServerURL),
					keyAPIKey: maskKey(s.get(keyAPIKey)), keyOutputFormat: s.get(keyOutputFormat),
				})
			}
			fmt.Fprintf(io.out, "Config file: %s\n\n", path)
			tw := tabwriter.NewWriter(io.out, 0, 4, 2, ' ', 0)
			for _, k := range settingKeys {
				v := s[k]
				shown := v.Value
				if k == keyAPIKey {
					shown = orDefault(maskKey(v.Value), "(not set)")
				}
				fmt.Fprintf(tw, "%s\t%s\t(%s)\n", k, shown, v.Source)
			}
			return tw.Flush()
		},
	}
	show.Flags().BoolVar(&asJSON, "json", false, "print JSON")

	set := &cobra.Command{
		Use:   "set <key> <value>",
		Short: "Save a setting: serverUrl, apiKey or outputFormat (table or json)",
		Args:  cobra.ExactArgs(2),
		RunE: func(_ *cobra.Command, args []string) error {
			key, value := args[0], args[1]
			if err := checkSetting(key, value); err != nil {
				return err
			}
			path, err := configPath(getenv)
			if err != nil {
				return err
			}
			file, err := readConfigFile(path)
			if err != nil {
				return err
			}
			file[key] = value
			if err := writeConfigFile(path, file); err != nil {
				return err
			}
			if key == keyAPIKey {
				value = maskKey(value)
			}
			fmt.Fprintf(io.out, "Set %s = %s in %s\n", key, value, path)
			if name := settingEnv[key]; name != "" {
				if v, ok := getenv(name); ok && v != "" {
					fmt.Fprintf(io.err, "Note: %s is set and overrides this value.\n", name)
				}
			}
			return nil
		},
	}

	get := &cobra.Command{
		Use:   "get <key>",
		Short: "Print the effective value of one setting",
		Args:  cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			if !knownKey(args[0]) {
				return unknownKey(args[0])
			}
			s, _, err := loadSettings(getenv)
			if err != nil {
				return err
			}
			_, err = fmt.Fprintln(io.out, s.get(args[0]))
			return err
		},
	}

	path := &cobra.Command{
		Use:   "path",
		Short: "Print the config file's path",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			p, err := configPath(getenv)
			if err != nil {
				return err
			}
			_, err = fmt.Fprintln(io.out, p)
			return err
		},
	}
	cmd.AddCommand(show, set, get, path)
	return cmd
}
