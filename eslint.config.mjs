import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Lint guards the architecture: lib/ is framework-free, server/ never imports React or UI code,
// and the browser (app/, components/) never imports server/.
const reactLike = [
  'react',
  'react-dom',
  'next',
  'next/*',
  'maplibre-gl',
  '@deck.gl/*',
  'echarts',
  'echarts/*',
];

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      '.next/',
      '.next-*/',
      'test-results/',
      'data/',
      'drizzle/',
      'public/',
      'next-env.d.ts',
      'bench/results/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['lib/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/server/**', '@/server/*', '**/components/**', '@/components/*', '**/app/**'],
              message: 'lib/ is shared and framework-free.',
            },
            {
              group: [...reactLike, 'redis', 'better-sqlite3', 'drizzle-orm', 'socket.io', 'node:*'],
              message: 'lib/ is shared and framework-free.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['server/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                ...reactLike.filter((p) => p !== 'next' && p !== 'echarts' && p !== 'echarts/*'),
                '**/components/**',
                '@/components/*',
                '**/app/**',
              ],
              message: 'server/ never imports React or UI code.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['app/**/*.{ts,tsx}', 'components/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/server/**', '@/server/*', 'redis', 'better-sqlite3', 'drizzle-orm', 'socket.io'],
              message: 'The browser never imports server/.',
            },
          ],
        },
      ],
    },
  },
);
