package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/agentgate/agentgate"
)

// The command-line client's settings: keys of ~/.agentgate/config.json (as the original CLI
// named them), each overridable by an environment variable.
const (
	keyServerURL    = "serverUrl"
	keyAPIKey       = "apiKey"
	keyOutputFormat = "outputFormat"

	defaultServerURL = "http://localhost:3000"
)

// settingKeys lists the keys config set/get accept, in display order.
var settingKeys = []string{keyServerURL, keyAPIKey, keyOutputFormat}

// settingEnv names the variable that overrides each key.
var settingEnv = map[string]string{keyServerURL: "AGENTGATE_URL", keyAPIKey: "AGENTGATE_API_KEY"}

// setting is one effective value and where it came from.
type setting struct {
	Value  string
	Source string // the variable's name, "config file" or "default"
}

// settings are the effective client settings.
type settings map[string]setting

func (s settings) get(key string) string { return s[key].Value }

// configPath returns ~/.agentgate/config.json, with the home directory from HOME.
func configPath(getenv env) (string, error) {
	home, ok := getenv("HOME")
	if !ok || home == "" {
		var err error
		if home, err = os.UserHomeDir(); err != nil {
			return "", fmt.Errorf("cannot find your home directory for the config file: set HOME")
		}
	}
	return filepath.Join(home, ".agentgate", "config.json"), nil
}

// readConfigFile returns the file's keys; a missing file is empty. Unknown keys are kept,
// so rewriting a file written by another version loses nothing.
func readConfigFile(path string) (map[string]any, error) {
	m := map[string]any{}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return m, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read config file: %w", err)
	}
	if err := json.Unmarshal(b, &m); err != nil || m == nil {
		return nil, fmt.Errorf("config file %s is not a JSON object; fix or delete it", path)
	}
	return m, nil
}

// writeConfigFile replaces the file atomically, readable by its owner only (it holds an API
// key), in a directory only the owner can enter.
func writeConfigFile(path string, m map[string]any) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create config directory: %w", err)
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return fmt.Errorf("restrict config directory: %w", err)
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".config-*.json")
	if err != nil {
		return fmt.Errorf("write config file: %w", err)
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(append(b, '\n')); err != nil {
		f.Close()
		return fmt.Errorf("write config file: %w", err)
	}
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return fmt.Errorf("write config file: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write config file: %w", err)
	}
	return os.Rename(f.Name(), path)
}

// loadSettings resolves every key: environment, then the config file, then the default.
func loadSettings(getenv env) (settings, string, error) {
	path, err := configPath(getenv)
	if err != nil {
		return nil, "", err
	}
	file, err := readConfigFile(path)
	if err != nil {
		return nil, path, err
	}
	defaults := map[string]string{keyServerURL: defaultServerURL, keyOutputFormat: "table"}
	s := settings{}
	for _, k := range settingKeys {
		if name := settingEnv[k]; name != "" {
			if v, ok := getenv(name); ok && v != "" {
				s[k] = setting{Value: v, Source: name}
				continue
			}
		}
		if v, ok := file[k].(string); ok && v != "" {
			s[k] = setting{Value: v, Source: "config file"}
			continue
		}
		s[k] = setting{Value: defaults[k], Source: "default"}
	}
	return s, path, nil
}

// checkSetting validates a value for config set.
func checkSetting(key, value string) error {
	switch key {
	case keyServerURL:
		u, err := url.Parse(value)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("serverUrl must be an http(s) URL such as http://localhost:3000, not %q", value)
		}
	case keyAPIKey:
		if strings.TrimSpace(value) == "" {
			return fmt.Errorf("apiKey must not be empty")
		}
	case keyOutputFormat:
		if value != "table" && value != "json" {
			return fmt.Errorf("outputFormat must be table or json, not %q", value)
		}
	default:
		return unknownKey(key)
	}
	return nil
}

func unknownKey(key string) error {
	return fmt.Errorf("unknown config key %q; keys are %s", key, strings.Join(settingKeys, ", "))
}

func knownKey(key string) bool { return slices.Contains(settingKeys, key) }

// maskKey shows enough of an API key to recognise it: the prefix the dashboard shows.
func maskKey(k string) string {
	if k == "" {
		return ""
	}
	if len(k) <= len(agentgate.KeyPrefix)+6 {
		return "****"
	}
	return agentgate.KeyDisplayPrefix(k) + "…"
}
