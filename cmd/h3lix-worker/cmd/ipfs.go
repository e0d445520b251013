package cmd

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/ipfs/go-cid"
	"github.com/spf13/cobra"

	"github.com/h3lix/h3lix/worker/api"
	"github.com/h3lix/h3lix/worker/chain"
	"github.com/h3lix/h3lix/worker/node"
	"github.com/h3lix/h3lix/worker/store"
)

func newIPFSCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "ipfs",
		Short: "Add, fetch and list payloads in the worker's IPFS store",
		Long: `ipfs works on the worker's store: through the running worker's API when it
is up (the worker holds the repository), otherwise by opening the repository
directly (then 'get' only finds what is already stored locally).
Use it to publish the payload of an artifact you commit by hand with
'h3lixd tx artifact commit/reveal', so that verifiers can fetch it.`,
	}
	c.PersistentFlags().String("api-listen", "", "HOST:PORT of the worker's API (config api.listen)")
	c.AddCommand(newIPFSAddCmd(), newIPFSGetCmd(), newIPFSPinsCmd())
	return c
}

// ipfsClient reaches the store through the API, or opens it directly.
type ipfsClient struct {
	base  string
	http  *http.Client
	local store.Store
}

func openIPFS(cmd *cobra.Command) (*ipfsClient, error) {
	cfg, err := loadConfig(cmd)
	if err != nil {
		return nil, err
	}
	c := &ipfsClient{base: "http://" + cfg.API.Listen, http: &http.Client{Timeout: 5 * time.Minute}}
	probe := &http.Client{Timeout: 2 * time.Second}
	if resp, err := probe.Get(c.base + "/healthz"); err == nil {
		resp.Body.Close()
		return c, nil
	}
	switch cfg.IPFS.Mode {
	case "kubo":
		c.local = store.NewKubo(store.KuboConfig{URL: cfg.IPFS.KuboURL})
	default:
		key, err := chain.LoadNodeKey(node.NodeKeyPath(cfg.Home))
		if err != nil {
			return nil, fmt.Errorf("node key: %w (run 'h3lix-worker init' first)", err)
		}
		emb, err := store.NewEmbedded(cmd.Context(), store.EmbeddedConfig{Dir: filepath.Join(cfg.Home, "data", "ipfs"), Identity: key.Priv,
			ListenAddrs: []string{"/ip4/127.0.0.1/tcp/0"}, FetchTimeout: cfg.IPFS.FetchTimeout})
		if err != nil {
			return nil, fmt.Errorf("opening the IPFS repository in %s (is a worker using it?): %w", cfg.Home, err)
		}
		c.local = emb
	}
	fmt.Fprintln(cmd.ErrOrStderr(), "(the worker is not running: using its repository directly)")
	return c, nil
}

func (c *ipfsClient) close() {
	if c.local != nil {
		c.local.Close()
	}
}

func apiError(resp *http.Response) error {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	var e struct {
		Error string `json:"error"`
	}
	if json.Unmarshal(body, &e) == nil && e.Error != "" {
		return errors.New(e.Error)
	}
	return fmt.Errorf("%s: %s", resp.Status, body)
}

func newIPFSAddCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "add FILE",
		Short: "Store FILE (UnixFS, CIDv1, raw leaves, 1 MiB chunks), pin it and print its CID",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			data, err := os.ReadFile(args[0])
			if err != nil {
				return err
			}
			name, _ := cmd.Flags().GetString("name")
			if name == "" {
				name = "h3lix/manual/" + filepath.Base(args[0])
			}
			ic, err := openIPFS(cmd)
			if err != nil {
				return err
			}
			defer ic.close()
			if ic.local != nil {
				c, err := ic.local.Add(cmd.Context(), bytes.NewReader(data), name)
				if err != nil {
					return err
				}
				fmt.Fprintln(cmd.OutOrStdout(), c)
				return nil
			}
			resp, err := ic.http.Post(ic.base+"/v1/ipfs/add?name="+url.QueryEscape(name), "application/octet-stream", bytes.NewReader(data))
			if err != nil {
				return err
			}
			defer resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				return apiError(resp)
			}
			var out struct {
				CID string `json:"cid"`
			}
			if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), out.CID)
			return nil
		},
	}
	c.Flags().String("name", "", "pin name (default h3lix/manual/<file name>)")
	return c
}

func newIPFSGetCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "get CID",
		Short: "Fetch a payload (from peers if needed, every block checked against its CID)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := cid.Decode(args[0])
			if err != nil {
				return fmt.Errorf("%q is not a CID: %w", args[0], err)
			}
			ic, err := openIPFS(cmd)
			if err != nil {
				return err
			}
			defer ic.close()
			var data []byte
			if ic.local != nil {
				ctx, cancel := context.WithTimeout(cmd.Context(), 10*time.Second)
				defer cancel()
				// The repository opened here has no peers: waiting for a
				// block it lacks would only end in a timeout.
				if _, ok := ic.local.(*store.Embedded); ok {
					has, err := ic.local.Has(ctx, id)
					if err != nil {
						return err
					}
					if !has {
						return fmt.Errorf("%s is not in the repository in %s; the worker is not running, so no peer can be asked (start it with 'h3lix-worker run --home %s')",
							id, homeOf(cmd), homeOf(cmd))
					}
				}
				if data, err = ic.local.Get(ctx, id, api.DefaultMaxPayload); err != nil {
					return err
				}
			} else {
				resp, err := ic.http.Get(ic.base + "/v1/ipfs/get/" + id.String())
				if err != nil {
					return err
				}
				defer resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					return apiError(resp)
				}
				if data, err = io.ReadAll(io.LimitReader(resp.Body, api.DefaultMaxPayload+1)); err != nil {
					return err
				}
			}
			out, _ := cmd.Flags().GetString("output")
			if out == "" || out == "-" {
				_, err = cmd.OutOrStdout().Write(data)
				return err
			}
			return os.WriteFile(out, data, 0o644)
		},
	}
	c.Flags().StringP("output", "o", "", "write to this file instead of standard output")
	return c
}

func newIPFSPinsCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "pins",
		Short: "List the pinned payloads (own artifacts, fields in use, manual adds)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ic, err := openIPFS(cmd)
			if err != nil {
				return err
			}
			defer ic.close()
			if ic.local != nil {
				pins, err := ic.local.Pins(cmd.Context())
				if err != nil {
					return err
				}
				for _, p := range pins {
					fmt.Fprintf(cmd.OutOrStdout(), "%s %s\n", p.CID, p.Name)
				}
				return nil
			}
			resp, err := ic.http.Get(ic.base + "/v1/ipfs/pins")
			if err != nil {
				return err
			}
			defer resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				return apiError(resp)
			}
			var out struct {
				Pins []struct{ CID, Name string } `json:"pins"`
			}
			if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
				return err
			}
			for _, p := range out.Pins {
				fmt.Fprintf(cmd.OutOrStdout(), "%s %s\n", p.CID, p.Name)
			}
			return nil
		},
	}
}
